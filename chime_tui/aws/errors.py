"""Typed errors the UI and the CLI can explain, and the one function that maps to them."""

from __future__ import annotations

import os
from typing import Any, Self

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
        # " (reached max retries: N)" when botocore gave up retrying, as its ClientError
        # (and so the AWS CLI) words it.
        self.retry_info = ""

    def worded(self, message: str) -> Self:
        """The same error, said for a person in the caller's terms (the service's own
        answer kept, for the commands that print it as the AWS CLI does)."""
        out = type(self)(message, code=self.code, status=self.status, detail=self.detail)
        out.service_message, out.retry_info = self.service_message, self.retry_info
        return out


class Throttled(ChimeError):
    kind = "throttled"


class NotFound(ChimeError):
    kind = "not found"


class AccessDenied(ChimeError):
    """401/403 and every credentials problem (missing, expired, SSO token gone)."""

    kind = "access denied"


class ProfileMissing(AccessDenied):
    """The profile asked for (--profile, AWS_PROFILE, the settings file) is in neither
    AWS file. Waited on as credentials are (the app watches those files)."""

    kind = "profile not found"

    def __init__(self, profile: str) -> None:
        from chime_tui.textsafe import clip

        self.profile = clip(profile, 200)  # a setting's value: data
        # What to do first, the files last (a long path is what a narrow line cuts).
        files = " and ".join(clip(_home_short(os.environ.get(var) or default), 300)
                             for var, default in (("AWS_CONFIG_FILE", "~/.aws/config"),
                                                  ("AWS_SHARED_CREDENTIALS_FILE",
                                                   "~/.aws/credentials")))
        super().__init__(f"profile {self.profile} not found: check the name, or run "
                         f"`aws configure --profile {self.profile}` (looked in {files})",
                         code="ProfileNotFound")


def _home_short(path: str) -> str:
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if home != "~" and path.startswith(home + os.sep) else path


def profile_problem(profile: str) -> str | None:
    """Why `profile` cannot be used (it is in neither AWS file), or None. Reads the files
    as botocore does (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE)."""
    import botocore.session

    if profile in botocore.session.Session().available_profiles:
        return None
    return ProfileMissing(profile).message


class ServiceFailure(ChimeError):
    kind = "service failure"


class Unreachable(ChimeError):
    kind = "unreachable"


class TlsUntrusted(Unreachable):
    """The endpoint's TLS certificate did not verify against the CA bundle in use."""

    kind = "tls certificate"


class BadResponse(ChimeError):
    kind = "bad response"
    # Where the answer is not what the service model says ('ProxySession.ExpiryMinutes')
    # when it is the operation's answer with a value of the wrong type: the service
    # answered, and that is what cannot be read. None: not an answer of this operation
    # at all (HTML from a proxy, truncated JSON, another shape).
    field: str | None = None


class InvalidInput(ChimeError):
    kind = "invalid input"


def classify(exc: BaseException, *, endpoint: str | None = None,
             profile: str | None = None, builtin_keys: bool = False,
             env_keys: bool = False) -> ChimeError:
    """Turn anything aiobotocore/botocore/aiohttp raise into one typed ChimeError.
    `profile`: the one in use (for the hints); `builtin_keys`: the demo's static keys
    sign instead (no profile to log in to)."""
    if isinstance(exc, ChimeError):
        return exc
    # botocore is imported lazily by the client; by the time a call fails it is loaded.
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError


    where = endpoint or "the service endpoint"
    if isinstance(exc, bx.ClientError):
        out = _client_error(exc, profile, builtin_keys, env_keys)
        out.service_message = str(exc.response.get("Error", {}).get("Message", "") or "")[:4000]
        meta = exc.response.get("ResponseMetadata", {})
        if meta.get("MaxAttemptsReached") and meta.get("RetryAttempts"):  # (none: not said)
            out.retry_info = f" (reached max retries: {meta['RetryAttempts']})"
        return out
    if isinstance(exc, bx.ProfileNotFound):
        return ProfileMissing(str(exc.kwargs.get("profile") or profile or ""))
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError,
                        bx.TokenRetrievalError, bx.SSOError, bx.UnauthorizedSSOTokenError,
                        bx.CredentialRetrievalError)):
        return AccessDenied(_credentials_hint(profile, builtin_keys, env_keys),
                            code=type(exc).__name__)
    if isinstance(exc, bx.ParamValidationError):
        return InvalidInput(str(exc).replace("\n", " "), code="ParamValidation")
    if isinstance(exc, bx.SSLError):
        return _tls_error(exc, where)
    if isinstance(exc, bx.ConnectTimeoutError):
        return Unreachable(f"endpoint unreachable: timed out connecting to {where}",
                           code=type(exc).__name__)
    if isinstance(exc, bx.ReadTimeoutError):  # reached, but it did not answer in time
        return Unreachable(f"timed out talking to {where}: no answer within the read timeout",
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


def _client_error(exc: Any, profile: str | None, builtin_keys: bool = False,
                  env_keys: bool = False) -> ChimeError:
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
        return AccessDenied(_credentials_hint(profile, builtin_keys, env_keys), code=code,
                            status=status)
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


def _credentials_hint(profile: str | None, builtin_keys: bool = False,
                      env_keys: bool = False) -> str:
    if builtin_keys:  # named as the top line names them (aws.settings.context_label)
        return ("credentials not allowed (profile demo: the demo's built-in keys): "
                "the endpoint refused them")
    if env_keys:
        # Keys in the environment outrank every file: `aws sso login` in another
        # terminal changes nothing for this process (walk 4 #9).
        return ("credentials expired or not allowed (environment keys, AWS_ACCESS_KEY_ID): "
                "renew them and restart, or check IAM permissions")
    who = f"profile {profile}" if profile else "the default credentials"
    run = f"aws sso login --profile {profile}" if profile else "aws sso login"
    return f"credentials expired or not allowed ({who}): run `{run}` or check IAM permissions"
