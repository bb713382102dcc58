"""Typed errors the UI and the CLI can explain, and the one function that maps to them."""

from __future__ import annotations

from typing import Any

NOT_FOUND = "not found: it ended or was deleted"  # a 404's message, as the CLI prints it


class ChimeError(Exception):
    """A failed call, classified. `message` is one calm line for a person."""

    kind = "error"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.detail = detail  # for the debug log only (may hold a response body)
        # An error answer's own Message, unabridged (data: make it visible to print it).
        self.service_message: str | None = None


class Throttled(ChimeError):
    kind = "throttled"


class NotFound(ChimeError):
    kind = "not found"


class AccessDenied(ChimeError):
    """401/403 and every credentials problem (missing, expired, SSO token gone)."""

    kind = "access denied"


class ServiceFailure(ChimeError):
    kind = "service failure"


class Unreachable(ChimeError):
    kind = "unreachable"


class TlsUntrusted(Unreachable):
    """The endpoint's TLS certificate did not verify against the CA bundle in use."""

    kind = "tls certificate"


class BadResponse(ChimeError):
    kind = "bad response"


class InvalidInput(ChimeError):
    kind = "invalid input"


def classify(exc: BaseException, *, endpoint: str | None = None,
             profile: str | None = None) -> ChimeError:
    """Turn anything aiobotocore/botocore/aiohttp raise into one typed ChimeError."""
    if isinstance(exc, ChimeError):
        return exc
    # botocore is imported lazily by the client; by the time a call fails it is loaded.
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError


    where = endpoint or "the service endpoint"
    if isinstance(exc, bx.ClientError):
        out = _client_error(exc, profile)
        out.service_message = str(exc.response.get("Error", {}).get("Message", "") or "")[:4000]
        return out
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError,
                        bx.TokenRetrievalError, bx.SSOError, bx.UnauthorizedSSOTokenError,
                        bx.CredentialRetrievalError, bx.ProfileNotFound)):
        return AccessDenied(_credentials_hint(profile), code=type(exc).__name__)
    if isinstance(exc, bx.ParamValidationError):
        return InvalidInput(str(exc).replace("\n", " "), code="ParamValidation")
    if isinstance(exc, bx.SSLError):
        return _tls_error(exc, where)
    if isinstance(exc, (bx.ConnectTimeoutError, bx.ReadTimeoutError)):
        return Unreachable(f"endpoint unreachable: timed out talking to {where}",
                           code=type(exc).__name__)
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectionClosedError,
                        bx.HTTPClientError)):
        return Unreachable(f"endpoint unreachable: {where}", code=type(exc).__name__)
    if isinstance(exc, (ResponseParserError, ValueError, TypeError, KeyError,
                        AttributeError)):
        return BadResponse("unexpected response from the service", code=type(exc).__name__,
                           detail=str(exc)[:2000])
    if isinstance(exc, (OSError, TimeoutError)):
        return Unreachable(f"endpoint unreachable: {where}", code=type(exc).__name__)
    return BadResponse("unexpected response from the service", code=type(exc).__name__,
                       detail=repr(exc)[:2000])


def _client_error(exc: Any, profile: str | None) -> ChimeError:
    """A ClientError (the service answered with an error) as a typed error."""
    from chime_tui.textsafe import clip

    err = exc.response.get("Error", {})
    # The service's words are data: shown, never interpreted by a terminal.
    code = clip(str(err.get("Code", "")), 100)
    msg = clip(str(err.get("Message", "") or ""), 300)
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code in ("ThrottledClientException", "Throttled", "ThrottlingException",
                "TooManyRequestsException") or status == 429:
        return Throttled("throttled by the service", code=code, status=status)
    if code in ("NotFoundException", "NotFound") or status == 404:
        return NotFound(NOT_FOUND, code=code, status=status)
    if code in ("UnauthorizedClientException", "ForbiddenException",
                "AccessDeniedException", "ExpiredTokenException",
                "UnrecognizedClientException", "InvalidSignatureException") or status in (401, 403):
        return AccessDenied(_credentials_hint(profile), code=code, status=status)
    if code in ("BadRequestException", "ValidationException") or status == 400:
        return InvalidInput(f"the service rejected the request: {msg or code}",
                            code=code, status=status)
    if status is not None and status >= 500 or code in (
        "ServiceFailureException", "ServiceUnavailableException"):
        return ServiceFailure(f"service failure ({status or code})", code=code, status=status)
    return ServiceFailure(f"service error {code} ({status})", code=code, status=status)


def _tls_error(exc: BaseException, where: str) -> ChimeError:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text.lower():
        reason = text.rsplit("certificate verify failed:", 1)[-1].split("(")[0].strip(" ')\"")
        return TlsUntrusted(
            f"TLS certificate not trusted: {where}"
            + (f" ({reason})" if reason and len(reason) < 80 else "")
            + "; set AWS_CA_BUNDLE (or the profile's ca_bundle) to the CA that signed it",
            code="SSLError", detail=text[:2000])
    return Unreachable(f"endpoint unreachable: TLS failed with {where}", code="SSLError",
                       detail=text[:2000])


def _credentials_hint(profile: str | None) -> str:
    who = f"profile {profile}" if profile else "the default credentials"
    run = f"aws sso login --profile {profile}" if profile else "aws sso login"
    return f"credentials expired or not allowed ({who}): run `{run}` or check IAM permissions"
