"""The site's own look: its name, the organisation behind it, a logo and a colour (issue 21).

Set by a site admin on /manage/site over the defaults in config (RSVP_SITE_NAME,
RSVP_SITE_ORGANISATION, …); every page and email reads them through the template
global ``branding()``.
"""
