from django.contrib.sitemaps import Sitemap
from django.urls import reverse

# Public pages listed for search engines (the account-request form included).
PUBLIC_URL_NAMES = [
    "public:home",
    "public:how_it_works",
    "public:who_may_ask",
    "public:funders",
    "public:provider",
    "public:contact",
    "public:support",
    "public:history",
    "public:ask_for_support",
    "selfcheck:start",
    "public:account_request",
    "public:blank_information_form",
    "public:accessibility",
    "public:accessibility_scheme",
    "public:legal_notice",
    "public:privacy",
    "help:faq",
]


class PublicPagesSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return PUBLIC_URL_NAMES

    def location(self, item):
        return reverse(item)
