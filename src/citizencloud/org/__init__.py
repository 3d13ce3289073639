"""Who serves the citizen, and where: regions in tiers, departments, service points, staff roles.

Three tiers of government (city → district/county → street/community) run through every module:
every department, service point, case and ticket belongs to a region at a tier. Staff roles,
granted per department and region, are the scopes later modules use to decide what staff see.
"""
