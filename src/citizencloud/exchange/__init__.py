"""exchange (L2): the signed machine transport between the platform and department systems.

A registry of peers (``Peer``: endpoint, Ed25519 public keys, allowed purposes); outbound calls
signed with RFC 9421 HTTP Message Signatures and verified on the way back (``client``); inbound
requests verified the same way, with replayed message ids refused (``inbound``); both directions
logged (``Message``) and hashed into the audit chain. Timeouts, retries under the same message
id, a circuit breaker and a rate limit per peer. ``guards.register(fn)`` lets higher layers
refuse inbound requests (consents). See docs/exchange.md.
"""
