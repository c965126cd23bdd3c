"""Signing stamps: JWS compact serialization (RFC 7515), EdDSA over Ed25519 (RFC 8037), with jwcrypto.

Keys are PEM files named ``<key id>.pem`` in ``CENTER_STAMP_KEY_DIR`` (production: a mounted
secret directory; the embedded default: ``var/stamp-keys/``, where a key is generated on first use
when ``CENTER_STAMP_GENERATE_KEYS`` is on). A key may also come from the environment
(``CENTER_STAMP_PRIVATE_KEY`` with ``CENTER_STAMP_KEY_ID``). New stamps are signed with the active
key (``CENTER_STAMP_ACTIVE_KEY_ID``, else the environment's key, else the newest file); every key's public half
is published in the JWKS, so that stamps signed before a rotation still verify.
"""
from __future__ import annotations

import datetime
import json
import os
import threading
from pathlib import Path

from django.conf import settings
from jwcrypto import jwk, jws

ALG = "EdDSA"
_lock = threading.Lock()
_cache: dict | None = None
_newest: str | None = None


class SigningError(Exception):
    pass


class MissingKey(SigningError):
    """The key id that signed is not among our keys (a key file lost or not mounted): the signature
    cannot be checked, which says nothing about the stamp itself."""

    def __init__(self, kid: str):
        super().__init__(f"no public key {kid!r} among the stamp keys")
        self.kid = kid


def canonical(payload: dict) -> bytes:
    """The one byte form of a payload: sorted keys, no spaces, UTF-8 (Chinese kept as is)."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _key_dir() -> Path:
    return Path(settings.CENTER_STAMP_KEY_DIR)


def new_key_id() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("k%Y%m%d%H%M%S%f")


def generate_key(kid: str | None = None) -> str:
    """Write a new Ed25519 private key as ``<kid>.pem`` (mode 600); it becomes the active key unless
    ``CENTER_STAMP_ACTIVE_KEY_ID`` says otherwise. Returns its key id."""
    kid = kid or new_key_id()
    key = jwk.JWK.generate(kty="OKP", crv="Ed25519", kid=kid)
    folder = _key_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kid}.pem"
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        handle.write(key.export_to_pem(private_key=True, password=None))
    reset_cache()
    return kid


def reset_cache() -> None:
    global _cache, _newest
    with _lock:
        _cache = _newest = None


def _keys() -> dict[str, jwk.JWK]:
    global _cache, _newest
    with _lock:
        if _cache is not None:
            return _cache
        keys = {}
        folder = _key_dir()
        files = sorted(folder.glob("*.pem"), key=lambda p: (p.stat().st_mtime_ns, p.stem)) if folder.is_dir() else []
        for path in files:
            keys[path.stem] = _with_kid(jwk.JWK.from_pem(path.read_bytes()), path.stem)
        _newest = files[-1].stem if files else None
        env_pem, env_kid = settings.CENTER_STAMP_PRIVATE_KEY, settings.CENTER_STAMP_KEY_ID
        if env_pem:
            if not env_kid:
                raise SigningError("CENTER_STAMP_PRIVATE_KEY needs CENTER_STAMP_KEY_ID")
            keys[env_kid] = _with_kid(jwk.JWK.from_pem(env_pem.encode()), env_kid)
            _newest = env_kid
        _cache = keys
        return keys


def _with_kid(key: jwk.JWK, kid: str) -> jwk.JWK:
    data = json.loads(key.export(private_key=key.has_private))
    data.update(kid=kid, alg=ALG, use="sig")
    return jwk.JWK(**data)


def active_key() -> jwk.JWK:
    keys = _keys()
    if not keys:
        if not settings.CENTER_STAMP_GENERATE_KEYS:
            raise SigningError("No stamp signing key: set CENTER_STAMP_KEY_DIR or CENTER_STAMP_PRIVATE_KEY")
        generate_key()
        keys = _keys()
    kid = settings.CENTER_STAMP_ACTIVE_KEY_ID or _newest
    if kid not in keys:
        raise SigningError(f"The active stamp key {kid} is not among the keys")
    return keys[kid]


def known_key_ids() -> set[str]:
    """The key ids whose keys we hold (files and the environment's)."""
    return set(_keys())


def active_key_id() -> str | None:
    """The key id new stamps are signed with, or None when there is none (and none would be generated)."""
    keys = _keys()
    kid = settings.CENTER_STAMP_ACTIVE_KEY_ID or _newest
    return kid if kid in keys else None


def public_jwks() -> dict:
    """The JWKS document: every key's public half (kty OKP, crv Ed25519, x, kid, alg, use)."""
    if not _keys() and settings.CENTER_STAMP_GENERATE_KEYS:
        active_key()
    return {"keys": [json.loads(key.export_public()) for _kid, key in sorted(_keys().items())]}


def sign(payload: dict) -> tuple[str, str]:
    """Sign ``payload`` (the key id is added to it) with the active key; returns (compact JWS, key id)."""
    key = active_key()
    kid = key.get("kid")
    body = canonical({**payload, "kid": kid})
    token = jws.JWS(body)
    token.add_signature(key, alg=ALG, protected=json.dumps({"alg": ALG, "kid": kid}))
    return token.serialize(compact=True), kid


def verify(token: str, jwks: dict | None = None) -> dict:
    """The payload of a compact JWS whose signature verifies with the JWKS (ours by default);
    raises ``MissingKey`` when its key id is not in the JWKS, ``SigningError`` otherwise."""
    keyset = jwk.JWKSet.from_json(json.dumps(jwks or public_jwks()))
    try:
        checked = jws.JWS()
        checked.deserialize(token)
        kid = checked.jose_header.get("kid")
        key = keyset.get_key(kid) if kid else None
        if checked.jose_header.get("alg") != ALG:
            raise SigningError("unknown algorithm")
        if key is None:
            raise MissingKey(kid) if kid else SigningError("no key id")
        checked.verify(key, alg=ALG)
        return json.loads(checked.payload)
    except SigningError:
        raise
    except Exception as error:  # noqa: BLE001 - any parse or signature failure means "not ours"
        raise SigningError(str(error)) from error
