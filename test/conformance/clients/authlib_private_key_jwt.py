"""authlib's private_key_jwt as its docs show it, every default kept: RS256, and an assertion that
lives an hour (exp = iat + 3600).

Run by test/conformance/debian-clients.test.ts with Debian's python3 and python3-authlib, against
an issuer behind TLS (requests trusts REQUESTS_CA_BUNDLE), with CLIENT_ID a credential that has
only the public half of PRIVATE_KEY. Prints one JSON object of what it saw; any other failure
raises, with a non-zero exit.
"""
import base64
import json
import os

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT

issuer = os.environ["ISSUER"]
metadata = requests.get(issuer + "/.well-known/oauth-authorization-server", timeout=10).json()
token_endpoint = metadata["token_endpoint"]
seen = {}

session = OAuth2Session(
    os.environ["CLIENT_ID"],
    os.environ["PRIVATE_KEY"],
    token_endpoint_auth_method="private_key_jwt",
    scope="agents-availability:read",
)
session.register_client_auth_method(PrivateKeyJWT(token_endpoint))

# What authlib signs by default, read from one assertion of its own making (never sent).
assertion = PrivateKeyJWT(token_endpoint).sign(session.client_auth("private_key_jwt"), token_endpoint)
header, payload = (
    json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    for part in assertion.decode().split(".")[:2]
)
seen["alg"] = header["alg"]
seen["assertion_lifetime"] = payload["exp"] - payload["iat"]

# Two token requests: each signs a fresh assertion, with a jti of its own.
for attempt in ("first", "second"):
    token = session.fetch_token(token_endpoint, grant_type="client_credentials")
    seen[attempt] = {"token_type": token["token_type"], "scope": token.get("scope")}

answer = session.get(
    os.environ["GATEWAY"] + "/agents-availability",
    headers={"Accept": "application/vnd.newvoicemedia.v1+json"},
    timeout=10,
)
seen["gateway_status"] = answer.status_code
print(json.dumps(seen))
