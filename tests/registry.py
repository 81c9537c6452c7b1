"""The real CNCF distribution registry for tests, and a push helper for it.

``RegistryServer.start`` runs ``/usr/bin/docker-registry`` on 127.0.0.1 with its storage
in a temporary folder; three flavours exist: no auth, htpasswd (Basic) auth, and
``auth: token:`` with an in-process token server that signs RS256 JWTs carrying an
``x5c`` header (the self-signed certificate is also the registry's root bundle, so
distribution 2.8 verifies the chain and the signature).

``Registry`` pushes images through the OCI push API (blob uploads, manifest PUTs), so a
test builds exactly the tags, platforms, labels and creation times it needs::

    digest = registry.push_image(repo, "1.2.3", labels={...}, platforms=["linux/amd64"])
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import ctypes.util
import gzip
import hashlib
import io
import itertools
import json
import shutil
import socket
import subprocess
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

REGISTRY_BINARY = "/usr/bin/docker-registry"

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
ALL_MANIFESTS = ", ".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST))

TOKEN_SERVICE = "upkeep-test-registry"
TOKEN_ISSUER = "upkeep-test-issuer"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def bcrypt_hash(password: str) -> str:
    """A bcrypt hash for an htpasswd line, from the system's libcrypt (libxcrypt).

    Neither the ``bcrypt`` package nor ``htpasswd`` is needed: Debian's libcrypt.so.1
    (an essential package) implements ``$2b$``, which distribution's Go bcrypt accepts.
    """
    name = ctypes.util.find_library("crypt")
    if name is None:
        raise RuntimeError("libcrypt not found: cannot make an htpasswd line")
    lib = ctypes.CDLL(name)
    lib.crypt_gensalt.restype = ctypes.c_char_p
    lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    salt = lib.crypt_gensalt(b"$2b$", 5, None, 0)
    hashed = lib.crypt(password.encode(), salt) if salt else None
    if not hashed or not hashed.startswith(b"$2"):
        raise RuntimeError("libcrypt cannot make bcrypt hashes")
    return str(hashed.decode())


# --------------------------------------------------------------------------- token server


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class TokenRequest:
    """One request the token server answered (for assertions)."""

    user: str | None
    service: str | None
    scopes: list[str]
    status: int


class TokenServer:
    """A tiny Docker token server (``auth: token:`` realm) on 127.0.0.1.

    Checks Basic credentials, then grants every action asked for in the ``scope``
    parameters, as a JWT signed RS256 with an ``x5c`` header.
    """

    def __init__(self, username: str, password: str, workdir: Path) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        self.username = username
        self.password = password
        self.requests: list[TokenRequest] = []
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "upkeep test token signer")])
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self._key, hashes.SHA256())
        )
        self.cert_path = workdir / "token-signer.pem"
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self._x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
        server = self
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _token_handler(server))
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])
        self.realm = f"http://127.0.0.1:{self.port}/token"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def mint(self, scopes: list[str], subject: str = "") -> str:
        """A signed token granting the actions named in ``scopes``."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self._x5c]}
        claims = {
            "iss": TOKEN_ISSUER,
            "sub": subject,
            "aud": TOKEN_SERVICE,
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = (
            _b64url(json.dumps(header).encode()) + "." + _b64url(json.dumps(claims).encode())
        )
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + _b64url(signature)

    def reset(self) -> None:
        self.requests.clear()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def _token_handler(server: TokenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = parse_qs(urlsplit(self.path).query)
            scopes = [s for value in query.get("scope", []) for s in value.split(" ") if s]
            service = query.get("service", [None])[0]
            user = None
            status = 401
            header = self.headers.get("Authorization", "")
            if header.startswith("Basic "):
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
                if user == server.username and password == server.password:
                    status = 200
            server.requests.append(TokenRequest(user, service, scopes, status))
            if status != 200:
                body = b'{"details": "invalid credentials"}'
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="token"')
            else:
                token = server.mint(scopes, subject=user or "")
                body = json.dumps(
                    {
                        "token": token,
                        "access_token": token,
                        "expires_in": 300,
                        "issued_at": datetime.now(UTC).isoformat(),
                    }
                ).encode()
                self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


# --------------------------------------------------------------------------- registry process


@dataclass
class RegistryServer:
    """A running ``docker-registry`` process."""

    process: subprocess.Popen[bytes]
    port: int
    workdir: Path
    log_file: io.BufferedWriter

    @property
    def log_path(self) -> Path:
        return self.workdir / "registry.log"

    @classmethod
    def start(cls, workdir: Path, auth: dict[str, Any] | None = None) -> RegistryServer:
        if shutil.which(REGISTRY_BINARY) is None:
            raise RuntimeError(f"{REGISTRY_BINARY} is missing (apt-get install docker-registry)")
        last_error = ""
        for _ in range(3):  # the free port may be taken between probe and bind
            port = free_port()
            config = {
                "version": 0.1,
                "log": {"level": "warn", "accesslog": {"disabled": True}},
                "storage": {
                    "filesystem": {"rootdirectory": str(workdir / "storage")},
                    "delete": {"enabled": True},
                },
                "http": {"addr": f"127.0.0.1:{port}", "secret": uuid.uuid4().hex},
            }
            if auth:
                config["auth"] = auth
            config_path = workdir / "config.yml"
            config_path.write_text(json.dumps(config))  # JSON is YAML
            log_file = (workdir / "registry.log").open("ab")
            process = subprocess.Popen(
                [REGISTRY_BINARY, "serve", str(config_path)],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            server = cls(process, port, workdir, log_file)
            if server._wait_ready():
                return server
            server.stop()
            last_error = server.log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"docker-registry did not start:\n{last_error}")

    def _wait_ready(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    return False
                try:
                    response = client.get(f"http://127.0.0.1:{self.port}/v2/")
                except httpx.TransportError:
                    time.sleep(0.02)
                    continue
                return response.status_code in (200, 401)
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


# --------------------------------------------------------------------------- push helper


_PLATFORM_KEYS = ("os", "architecture", "variant")


def _platform(text: str) -> dict[str, str]:
    return dict(zip(_PLATFORM_KEYS, text.split("/"), strict=False))


@dataclass
class Registry:
    """A test registry: where it is, how to log in, and how to push to it.

    ``url`` is ``http://127.0.0.1:PORT``; ``host`` is ``127.0.0.1:PORT``. For registries
    with auth, ``username``/``password`` are the good credentials and ``token_server``
    (token mode) records every token request.
    """

    server: RegistryServer
    username: str | None = None
    password: str | None = None
    token_server: TokenServer | None = None
    _client: httpx.Client = field(init=False)
    _names: itertools.count[int] = field(init=False, default_factory=itertools.count)

    def __post_init__(self) -> None:
        auth = (self.username, self.password or "") if self.username else None
        if self.token_server is not None:
            auth = None  # the helper mints its own push tokens
        self._client = httpx.Client(base_url=self.url, auth=auth, timeout=10.0)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def close(self) -> None:
        self._client.close()
        self.server.stop()
        if self.token_server is not None:
            self.token_server.close()

    def repository(self, name: str = "test") -> str:
        """A repository name no other test of this session uses."""
        return f"{name}-{next(self._names)}"

    # -- low level

    def _request(self, method: str, url: str, repository: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.token_server is not None:
            scope = f"repository:{repository}:pull,push,delete"
            headers["Authorization"] = "Bearer " + self.token_server.mint([scope], "pusher")
        response = self._client.request(method, url, headers=headers, **kwargs)
        if response.is_error:
            raise AssertionError(f"{method} {url} -> {response.status_code}: {response.text[:500]}")
        return response

    def push_blob(self, repository: str, data: bytes) -> str:
        digest = sha256_digest(data)
        start = self._request("POST", f"/v2/{repository}/blobs/uploads/", repository)
        location = httpx.URL(self.url).join(start.headers["Location"])
        location = location.copy_merge_params({"digest": digest})
        self._request(
            "PUT",
            str(location),
            repository,
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        return digest

    def put_manifest(
        self, repository: str, reference: str, manifest: bytes, media_type: str
    ) -> str:
        self._request(
            "PUT",
            f"/v2/{repository}/manifests/{reference}",
            repository,
            content=manifest,
            headers={"Content-Type": media_type},
        )
        return sha256_digest(manifest)

    def get_manifest(self, repository: str, reference: str) -> tuple[bytes, str]:
        response = self._request(
            "GET",
            f"/v2/{repository}/manifests/{reference}",
            repository,
            headers={"Accept": ALL_MANIFESTS},
        )
        return response.content, response.headers["Content-Type"].split(";")[0]

    # -- images

    def push_image(
        self,
        repository: str,
        tag: str | None,
        *,
        platforms: list[str] | None = None,
        labels: dict[str, str] | None = None,
        created: datetime | None = None,
        content: bytes | str | None = None,
        docker_format: bool = False,
        platform: str = "linux/amd64",
    ) -> str:
        """Push an image and tag it (``tag=None``: push by digest only); returns the manifest (or index) digest.

        With ``platforms`` one image manifest is pushed per platform plus an index (OCI
        image index, or Docker manifest list with ``docker_format``), and the tag names
        the index. ``content`` defaults to something unique, so every push makes a new
        digest (pushing again to a tag moves it).
        """
        if content is None:
            content = uuid.uuid4().hex
        if isinstance(content, str):
            content = content.encode()
        if platforms is None:
            manifest, media_type = self._image_manifest(
                repository, platform, labels, created, content, docker_format
            )
        else:
            entries = []
            for each in platforms:
                body, kind = self._image_manifest(
                    repository, each, labels, created, content, docker_format
                )
                digest = self.put_manifest(repository, sha256_digest(body), body, kind)
                entries.append(
                    {
                        "mediaType": kind,
                        "digest": digest,
                        "size": len(body),
                        "platform": _platform(each),
                    }
                )
            media_type = DOCKER_LIST if docker_format else OCI_INDEX
            manifest = json.dumps(
                {"schemaVersion": 2, "mediaType": media_type, "manifests": entries}
            ).encode()
        reference = tag or sha256_digest(manifest)
        return self.put_manifest(repository, reference, manifest, media_type)

    def _image_manifest(
        self,
        repository: str,
        platform: str,
        labels: dict[str, str] | None,
        created: datetime | None,
        content: bytes,
        docker_format: bool,
    ) -> tuple[bytes, str]:
        tar_bytes = io.BytesIO()
        with tarfile.open(fileobj=tar_bytes, mode="w") as tar:
            payload = content + platform.encode()
            info = tarfile.TarInfo("content.txt")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
        layer = gzip.compress(tar_bytes.getvalue(), mtime=0)
        plat = _platform(platform)
        config: dict[str, Any] = {
            **plat,
            "config": {"Labels": labels or {}},
            "rootfs": {"type": "layers", "diff_ids": [sha256_digest(tar_bytes.getvalue())]},
        }
        if created is not None:
            config["created"] = created.astimezone(UTC).isoformat().replace("+00:00", "Z")
        config_bytes = json.dumps(config, sort_keys=True).encode()
        config_digest = self.push_blob(repository, config_bytes)
        layer_digest = self.push_blob(repository, layer)
        media_type = DOCKER_MANIFEST if docker_format else OCI_MANIFEST
        manifest = {
            "schemaVersion": 2,
            "mediaType": media_type,
            "config": {
                "mediaType": DOCKER_CONFIG if docker_format else OCI_CONFIG,
                "digest": config_digest,
                "size": len(config_bytes),
            },
            "layers": [
                {
                    "mediaType": DOCKER_LAYER if docker_format else OCI_LAYER,
                    "digest": layer_digest,
                    "size": len(layer),
                }
            ],
        }
        return json.dumps(manifest).encode(), media_type

    def push_index(
        self, repository: str, tag: str, manifests: dict[str, str], *, docker_format: bool = False
    ) -> str:
        """Tag an index of already pushed image manifests (``{"linux/arm64": digest}``)."""
        entries = []
        for platform, digest in manifests.items():
            body, kind = self.get_manifest(repository, digest)
            entries.append(
                {
                    "mediaType": kind,
                    "digest": digest,
                    "size": len(body),
                    "platform": _platform(platform),
                }
            )
        media_type = DOCKER_LIST if docker_format else OCI_INDEX
        index = json.dumps({"schemaVersion": 2, "mediaType": media_type, "manifests": entries})
        return self.put_manifest(repository, tag, index.encode(), media_type)

    def tag(self, repository: str, existing: str, new_tag: str) -> str:
        """Point ``new_tag`` at the manifest ``existing`` (a digest or a tag)."""
        body, media_type = self.get_manifest(repository, existing)
        return self.put_manifest(repository, new_tag, body, media_type)

    def delete_manifest(self, repository: str, digest: str) -> None:
        self._request("DELETE", f"/v2/{repository}/manifests/{digest}", repository)


# --------------------------------------------------------------------------- factories


def start_registry(workdir: Path) -> Registry:
    return Registry(RegistryServer.start(workdir))


def start_basic_auth_registry(workdir: Path, username: str, password: str) -> Registry:
    htpasswd = workdir / "htpasswd"
    htpasswd.write_text(f"{username}:{bcrypt_hash(password)}\n")
    auth = {"htpasswd": {"realm": "upkeep-test", "path": str(htpasswd)}}
    return Registry(RegistryServer.start(workdir, auth), username=username, password=password)


def start_token_registry(workdir: Path, username: str, password: str) -> Registry:
    tokens = TokenServer(username, password, workdir)
    auth = {
        "token": {
            "realm": tokens.realm,
            "service": TOKEN_SERVICE,
            "issuer": TOKEN_ISSUER,
            "rootcertbundle": str(tokens.cert_path),
        }
    }
    try:
        server = RegistryServer.start(workdir, auth)
    except BaseException:
        tokens.close()
        raise
    return Registry(server, username=username, password=password, token_server=tokens)


@contextlib.contextmanager
def running(registry: Registry) -> Iterator[Registry]:
    try:
        yield registry
    finally:
        registry.close()
