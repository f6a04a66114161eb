"""Keygate as Python programs meet it: authlib for discovery and the grant, PyJWT for the token.

Run by test/conformance/debian-clients.test.ts with Debian's python3, python3-authlib and
python3-jwt, against an issuer behind TLS (requests trusts REQUESTS_CA_BUNDLE). Prints one JSON
object of what it saw; any other failure raises, with a non-zero exit.
"""
import json
import os

import jwt
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

issuer = os.environ["ISSUER"]
seen = {}

# RFC 8414 discovery, checked by each of authlib's validators: which of them complain.
metadata = requests.get(issuer + "/.well-known/oauth-authorization-server", timeout=10).json()
checked = AuthorizationServerMetadata(metadata)
seen["metadata_problems"] = []
for key in checked.REGISTRY_KEYS:
    try:
        getattr(checked, "validate_" + key)()
    except ValueError:
        seen["metadata_problems"].append(key)
openid = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
seen["same_token_endpoint"] = openid["token_endpoint"] == metadata["token_endpoint"]

for method in ("client_secret_basic", "client_secret_post"):
    session = OAuth2Session(
        os.environ["CLIENT_ID"],
        os.environ["CLIENT_SECRET"],
        token_endpoint_auth_method=method,
        scope="agents-availability:read",
    )
    token = session.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    seen[method] = {"scope": token.get("scope"), "expires_in": token["expires_in"]}

# The access token checked by PyJWT against the issuer's published keys.
access_token = token["access_token"]
key = jwt.PyJWKClient(metadata["jwks_uri"]).get_signing_key_from_jwt(access_token)
claims = jwt.decode(
    access_token,
    key.key,
    algorithms=["ES256"],
    audience=os.environ["AUDIENCE"],
    issuer=metadata["issuer"],
    options={"require": ["exp", "iat", "jti", "sub"]},
)
seen["typ"] = jwt.get_unverified_header(access_token)["typ"]
seen["client_id"] = claims["client_id"]

# The API called through the gateway with authlib's session, which sends the bearer token.
answer = session.get(
    os.environ["GATEWAY"] + "/agents-availability",
    headers={"Accept": "application/vnd.newvoicemedia.v1+json"},
    timeout=10,
)
seen["gateway_status"] = answer.status_code
print(json.dumps(seen))
