"""The demo data: fictitious cases walked through the real services of every package
(cases, meetings, documents…), hence a package above them all (`manage.py load_demo`)."""
