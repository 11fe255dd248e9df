"""The pages API's named query parameters, for the tests that attack them."""

# The parameters the pages listing parses (cms/api/params.py), besides field filters.
PAGE_PARAMETERS = [
    "limit",
    "offset",
    "fields",
    "order",
    "search",
    "search_operator",
    "locale",
    "type",
    "child_of",
    "descendant_of",
    "ancestor_of",
    "translation_of",
    "topic",
    "organisation",
    "person",
    "place",
    "mission",
    "published_after",
    "published_before",
]
