"""The catalog of services (一网通办): themes, services with exact guides, life events, search.

Every edit of a service makes a new version; the published version is public and so is the
change history. Retired or merged services point to their successor.
"""
