from django.shortcuts import render

from soutien.cases.selectors import case_for


def case_detail(request, pk):
    case = case_for(request.user, pk)
    return render(request, "cases/detail.html", {"case": case})
