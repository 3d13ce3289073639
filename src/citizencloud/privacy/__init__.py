"""privacy (L3): the data-access ledger — who read a citizen's personal data, why, on what basis.

Public surface: ``services.record_access(...)`` and ``selectors.accesses_for(...)``; consents
come with the privacy-centre issue.
"""
