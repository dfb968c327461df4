"""The composition root: wires the GraphQL front door (``schema``) to the service (``api``).

It sits above both so that ``api`` never imports ``schema``: another front door can reuse ``api``.
"""
