"""A real Neo4j Community server for the tests, built from Maven Central jars.

Why a real server: the push must be checked against Neo4j's own counters,
constraints and errors, which no fake reproduces. Why the harness jars and not
a Docker image or a tarball: Maven and a JDK are the only tools needed, the
jars are cached (keyed by the POM's hash, so changing the version refetches),
and ``Server.java`` runs as a single source file without a build.

The server dies with the test process: it stops when its stdin closes.
"""

import hashlib
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent / "neo4j"
POM = HERE / "pom.xml"
SERVER_JAVA = HERE / "Server.java"
PASSWORD_ENV = "SURVKG_TEST_NEO4J_PASSWORD"
JAVA_FLAGS = ["-Xms128m", "-Xmx1g", "-XX:+UseSerialGC"]
MIN_JAVA = 17


class ServerError(RuntimeError):
    """The jars could not be fetched or the server did not start; the message says why."""


def neo4j_version() -> str:
    """The Neo4j version the POM asks for (used to name the cache folder)."""
    match = re.search(r"<neo4j.version>([^<]+)</neo4j.version>", POM.read_text(encoding="utf-8"))
    if not match:
        raise ServerError(f"{POM} has no <neo4j.version>")
    return match.group(1)


def cache_dir() -> Path:
    """``$SURVKG_NEO4J_CACHE``, else ``~/.cache/surveillance-kg/neo4j-<version>-<pom hash>``."""
    if os.environ.get("SURVKG_NEO4J_CACHE"):
        return Path(os.environ["SURVKG_NEO4J_CACHE"])
    digest = hashlib.sha256(POM.read_bytes()).hexdigest()[:12]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "surveillance-kg" / f"neo4j-{neo4j_version()}-{digest}"


def missing_tools() -> str | None:
    """Why the server cannot run here (no java, old java, no mvn), or None if it can."""
    java, mvn = shutil.which("java"), shutil.which("mvn")
    if java is None:
        return "java is not installed (Neo4j tests need JDK 17 or newer on PATH)"
    major = java_major_version(java)
    if major is None or major < MIN_JAVA:
        return f"java on PATH is version {major}; the Neo4j tests need JDK {MIN_JAVA} or newer"
    lib = cache_dir() / "lib"
    if mvn is None and not (lib / ".complete").exists():
        return f"mvn is not installed and no cached Neo4j jars are in {lib}"
    return None


def java_major_version(java: str) -> int | None:
    """17 for ``openjdk version "17.0.15"``; None if it cannot be read."""
    result = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8" means 8


def ensure_jars(timeout: float = 1200) -> Path:
    """The folder of harness jars, downloaded by Maven on the first run only.

    Jars go to a temporary folder renamed into place when complete, so an
    interrupted download is never mistaken for a cache.
    """
    lib = cache_dir() / "lib"
    if (lib / ".complete").exists():
        return lib
    partial = lib.with_name(f"lib.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    command = ["mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
               f"-DoutputDirectory={partial}", "-DincludeScope=runtime"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                check=False)
    except subprocess.TimeoutExpired as error:
        raise ServerError(f"mvn did not fetch the Neo4j jars within {timeout:.0f} s") from error
    if result.returncode != 0 or not any(partial.glob("neo4j-harness-*.jar")):
        raise ServerError(f"mvn could not fetch the Neo4j jars (exit {result.returncode}):\n"
                          + tail(result.stdout + result.stderr))
    (partial / ".complete").write_text(neo4j_version() + "\n", encoding="utf-8")
    shutil.rmtree(lib, ignore_errors=True)
    partial.rename(lib)
    return lib


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def tail(text: str, lines: int = 30) -> str:
    """The last lines of a log, which is where a JVM explains why it died."""
    return "\n".join(text.strip().splitlines()[-lines:])


@dataclass
class Neo4jServer:
    """One running server process; ``uri`` is its Bolt address."""

    process: subprocess.Popen[bytes]
    uri: str
    workdir: Path
    started_in: float
    password: str | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.workdir / "server.log"

    @classmethod
    def start(cls, lib: Path, workdir: Path, *, password: str | None = None,
              timeout: float = 180) -> "Neo4jServer":
        """Start ``Server.java`` on a free port and wait until it prints its URI.

        With ``password``, auth is on and user ``neo4j`` has that password.
        """
        workdir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        env = dict(os.environ)
        env.pop(PASSWORD_ENV, None)
        if password is not None:
            env[PASSWORD_ENV] = password
        out, log = workdir / "server.out", workdir / "server.log"
        command = ["java", *JAVA_FLAGS, "-cp", f"{lib}/*", str(SERVER_JAVA),
                   "127.0.0.1", str(port), str(workdir / "data")]
        began = time.monotonic()
        with out.open("wb") as stdout, log.open("wb") as stderr:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=stdout,
                                       stderr=stderr, env=env, cwd=workdir)
        uri = _wait_for_uri(process, out, log, timeout)
        return cls(process, uri, workdir, time.monotonic() - began, password)

    def stop(self, timeout: float = 60) -> None:
        """Close stdin (the server's signal to shut down), then wait; kill if it hangs."""
        if self.process.poll() is not None:
            return
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def _wait_for_uri(process: subprocess.Popen[bytes], out: Path, log: Path,
                  timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(r"bolt://\S+", out.read_text(encoding="utf-8", errors="replace"))
        if match:
            return match.group(0)
        if process.poll() is not None:
            raise ServerError(f"the Neo4j test server exited with status {process.returncode} "
                              f"before it was ready; its stderr ends:\n"
                              + tail(log.read_text(encoding="utf-8", errors="replace")))
        time.sleep(0.1)
    process.kill()
    process.wait(10)
    raise ServerError(f"the Neo4j test server did not print its URI within {timeout:.0f} s; "
                      "its stderr ends:\n"
                      + tail(log.read_text(encoding="utf-8", errors="replace")))
