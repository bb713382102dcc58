"""get-proxy-session's parameters: --cli-input-json merged with flags, validated as the AWS CLI does."""

from __future__ import annotations

import argparse
import json
from typing import Any


class UsageError(Exception):
    """Bad parameters: exit 252 with this message, no request sent."""


GET_PARAMS = {"VoiceConnectorId": "voice_connector_id", "ProxySessionId": "proxy_session_id"}


def get_params(args: argparse.Namespace, spec: dict[str, str] | None = None) -> dict[str, str]:
    """Merge --cli-input-json with flags (flags win) and validate, as the AWS CLI does.
    `spec`: the operation's parameters (all required strings) and their flags' names
    (default: GetProxySession's)."""
    spec = GET_PARAMS if spec is None else spec
    params = cli_input_json(args)
    for key, attr in spec.items():
        value = getattr(args, attr)
        if value is not None:
            params[key] = value
    problems = [f'Missing required parameter in input: "{k}"' for k in spec
                if k not in params]
    problems += [f'Unknown parameter in input: "{k}", must be one of: '
                 f'{", ".join(spec)}' for k in params if k not in spec]
    problems += [f"Invalid type for parameter {k}, value: {v}, type: {type(v)}, "
                 f"valid types: <class 'str'>" for k, v in params.items()
                 if k in spec and not isinstance(v, str)]
    if not problems:
        problems += id_problems(params)
    if problems:
        raise UsageError("Parameter validation failed:\n" + "\n".join(problems))
    return params


def id_problems(params: dict[str, Any]) -> list[str]:
    """The IDs that break the service model's patterns (checked before the request: a '/'
    in an ID would change the URL path)."""
    from chime_tui.ids import validate_proxy_session_id, validate_voice_connector_id

    problems = []
    for key, check in (("VoiceConnectorId", validate_voice_connector_id),
                       ("ProxySessionId", validate_proxy_session_id)):
        if isinstance(params.get(key), str) and (reason := check(params[key])):
            problems.append(f"Invalid value for parameter {key}: {reason}")
    return problems


def cli_input_json(args: argparse.Namespace) -> dict[str, Any]:
    """--cli-input-json's object (a JSON string or file://path), {} without it."""
    params: dict[str, Any] = {}
    if args.cli_input_json:
        text = args.cli_input_json
        if text.startswith("file://"):
            try:
                with open(text[7:], encoding="utf-8") as fh:
                    text = fh.read()
            except OSError as exc:
                raise UsageError(f"Error parsing parameter 'cli-input-json': Unable to load "
                                 f"paramfile {args.cli_input_json}: {exc.strerror}") from None
        try:
            loaded = json.loads(text)
        except ValueError as exc:
            raise UsageError(f"Error parsing parameter 'cli-input-json': Invalid JSON: {exc}\n"
                             f"JSON received: {text}") from None
        if not isinstance(loaded, dict):
            raise UsageError("Error parsing parameter 'cli-input-json': Invalid JSON: "
                             f"expected an object\nJSON received: {text}")
        params.update(loaded)
    return params


def skeleton(kind: str, operation: str = "GetProxySession") -> Any:
    if kind == "input" and operation == "GetProxySession":
        return {"VoiceConnectorId": "", "ProxySessionId": ""}
    from botocore.utils import ArgumentGenerator

    model = operation_model(operation)
    if kind == "input":  # as the AWS CLI prints it, but the first enum value, not a random one
        return _input_sample(model.input_shape)
    shape = model.output_shape
    if shape is None:
        return {}
    sample = ArgumentGenerator(use_member_names=True).generate_skeleton(shape)
    return _respect_minimums(shape, sample)


def operation_model(operation: str) -> Any:
    import botocore.session

    model = botocore.session.get_session().get_service_model("chime-sdk-voice")
    return model.operation_model(operation)


def _input_sample(shape: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return {name: _input_sample(member) for name, member in shape.members.items()}
    if kind == "list":
        return [_input_sample(shape.member)]
    if kind == "string":
        return shape.enum[0] if shape.enum else ""
    if kind == "boolean":
        return True
    return 0


def _respect_minimums(shape: Any, value: Any) -> Any:
    """botocore's generator writes 0 for every integer; the model says ExpiryMinutes >= 1.

    (AWS CLI v1 rejects its own output skeleton for that reason; this one is valid.)
    """
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: _respect_minimums(shape.members[k], v) for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [_respect_minimums(shape.member, v) for v in value]
    if shape.type_name == "integer" and isinstance(value, int):
        return max(value, shape.metadata.get("min", value))
    return value
