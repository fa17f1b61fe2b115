"""``kg serve``: Oxigraph's own SPARQL 1.1 Protocol server, read-only, over the store.

We do not speak the protocol ourselves. The ``oxigraph`` package (PyPI) ships
Oxigraph's server binary, the same engine and on-disk format as pyoxigraph;
this module starts it, waits until it answers, and stops it. The server gives
GET and POST queries, SPARQL JSON/XML/CSV/TSV results, Turtle, N-Triples,
N-Quads, TriG, RDF/XML and JSON-LD graphs by content negotiation, the Graph
Store Protocol for reading (``/store?graph=IRI``), CORS, and a query UI
(YASGUI, served from the binary itself) at ``/``. Writes are refused: an UPDATE
at ``/update`` and a Graph Store ``PUT``/``POST``/``DELETE`` get
``403 The server is read-only``.

It runs with ``--union-default-graph``: a query without ``GRAPH`` sees every
source graph, as ``kg query sparql`` does (pyoxigraph's
``use_default_graph_as_union=True``).

The server reads a snapshot, never the live store. Oxigraph opens a store
read-only without taking its lock, reads the files as they were when it
opened them, and calls reading while another process writes "undefined
behaviour". So ``start`` takes the store's lock for a moment (a running
``kg ingest`` makes it fail fast with "store is locked"), drops staging graphs
an interrupted load left behind, and writes a RocksDB checkpoint beside the
store: hard links to its immutable files, so it costs no copy on the same file
system. Loads may go on while the server runs; it keeps answering from the
snapshot, never from a half-loaded source, and shows new loads after a restart.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pyoxigraph

from kg.errors import KgError
from kg.sparql_store import is_loopback
from kg.store import Store

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "Server", "free_port", "health", "is_loopback",
           "port_in_use", "running_server", "serve", "start"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
STARTUP_TIMEOUT = 10.0
_POLL = 0.01
_LOG = "oxigraph.log"
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Server:
    """A running server: its base URL, its process and the snapshot it reads."""

    url: str
    process: "subprocess.Popen[bytes]"
    workdir: Path
    recovered: tuple[str, ...] = ()  # sources an interrupted load left, finished or undone

    @property
    def query_url(self) -> str:
        """The SPARQL query endpoint (GET or POST)."""
        return self.url + "/query"

    def last_error(self) -> str:
        """The server's own one-line reason for stopping, from its log."""
        try:
            lines = (self.workdir / _LOG).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "no log"
        errors = [line for line in lines.splitlines() if line.startswith("Error:")]
        tail = [line for line in lines.splitlines() if line.strip()]
        return (errors or tail or ["no output"])[-1].removeprefix("Error:").strip()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and delete the snapshot."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def oxigraph_binary() -> str:
    """Path of the ``oxigraph`` server binary: beside this Python's scripts, else on PATH."""
    name = "oxigraph.exe" if os.name == "nt" else "oxigraph"
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise KgError("the oxigraph server is not installed; run: pip install oxigraph")
    return found


def check_version(binary: str) -> str:
    """The server's version; it must read pyoxigraph's on-disk format (same minor release)."""
    try:
        answer = subprocess.run([binary, "--version"], capture_output=True, text=True,
                                timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise KgError(f"cannot run {binary}: {error}") from error
    server = answer.split()[-1] if answer.split() else "unknown"
    ours = pyoxigraph.__version__
    if server.split(".")[:2] != ours.split(".")[:2]:
        raise KgError(f"oxigraph server {server} may not read stores written by pyoxigraph "
                      f"{ours}; run: pip install 'oxigraph=={ours}'")
    return server


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def port_in_use(host: str, port: int) -> bool:
    """True if something already listens on ``host:port`` (checked as the server binds)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError:
            return True
    return False


def free_port(host: str = DEFAULT_HOST) -> int:
    """A port nobody listens on now (for tests and benchmarks)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.bind((host.strip("[]"), 0))
        return int(probe.getsockname()[1])


def base_url(host: str, port: int) -> str:
    """``http://host:port``, with IPv6 addresses in brackets."""
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{shown}:{port}"


def health(url: str, timeout: float = 1.0) -> bool:
    """True if the server at ``url`` answers a trivial query."""
    probe = url + "/query?" + urllib.parse.urlencode({"query": "ASK {}"})
    request = urllib.request.Request(probe, headers={"Accept": "application/sparql-results+json"})
    try:
        with _NO_PROXY.open(request, timeout=timeout) as response:
            return int(response.status) == 200
    except OSError:
        return False


def snapshot(store_path: Path, workdir: Path) -> tuple[Path, list[str]]:
    """A consistent read-only copy of the store (hard links) at ``workdir/store``.

    Opening the store read-write takes its lock, so a running load makes this
    fail fast, and finishes or undoes what an interrupted load left (``Store.
    recover``), so no half-written source is ever copied; the sources it touched
    are returned so the caller can say so.
    """
    if not (store_path / "CURRENT").is_file():
        raise KgError(f"store {store_path} does not exist; load something first")
    target = workdir / "store"
    store = Store(store_path)
    try:
        store.backup(target)
    except OSError as error:
        raise KgError(f"cannot snapshot store {store_path} into {workdir}: {error}") from error
    finally:
        store.close()
    return target, store.recovered


def _workdir(store_path: Path) -> Path:
    """A fresh folder beside the store (same file system, so the snapshot is hard links)."""
    prefix = f".{store_path.name}.serve-"
    for stale in store_path.parent.glob(prefix + "*"):
        pid = stale.name.removeprefix(prefix).split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    try:
        return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=store_path.parent))
    except OSError as error:
        raise KgError(f"cannot write a snapshot beside {store_path}: {error}") from error


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start(store_path: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
          cors: bool = True, timeout_s: int | None = None,
          startup_timeout: float = STARTUP_TIMEOUT) -> Server:
    """Start a read-only server over a snapshot of the store; returns once it answers."""
    store_path = Path(store_path)
    binary = oxigraph_binary()
    check_version(binary)
    if port_in_use(host, port):
        raise KgError(f"port {port} on {host} is in use (another kg serve?); "
                      f"choose another with --port")
    workdir = _workdir(store_path)
    try:
        location, recovered = snapshot(store_path, workdir)
        command = [binary, "serve-read-only", "--location", str(location),
                   "--bind", f"{base_url(host, port).removeprefix('http://')}",
                   "--union-default-graph"]
        command += ["--cors"] if cors else []
        command += ["--timeout-s", str(timeout_s)] if timeout_s else []
        with (workdir / _LOG).open("wb") as log:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT,
                                       env={**os.environ, "RUST_BACKTRACE": "0"})
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    server = Server(base_url(host, port), process, workdir, tuple(recovered))
    _wait_healthy(server, startup_timeout)
    return server


def _wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not health(server.url, timeout=max(_POLL, 0.5)):
        if server.process.poll() is not None:
            reason = server.last_error()
            server.stop()
            if "address already in use" in reason.lower():
                port = server.url.rsplit(":", 1)[-1]
                raise KgError(f"port {port} is in use (another kg serve?); "
                              f"choose another with --port")
            raise KgError(f"the oxigraph server did not start: {reason}")
        if time.monotonic() > deadline:
            server.stop()
            raise KgError(f"the oxigraph server did not answer at {server.url} "
                          f"within {timeout:.0f} s")
        time.sleep(_POLL)


@contextlib.contextmanager
def running_server(store_path: str | Path, host: str = DEFAULT_HOST, port: int = 0, *,
                   cors: bool = True, timeout_s: int | None = None,
                   startup_timeout: float = STARTUP_TIMEOUT) -> Iterator[str]:
    """A server for the length of a ``with`` block; yields its base URL.

    ``port=0`` picks a free port. For tests and benchmarks:
    ``with running_server(path) as url: urlopen(url + "/query?query=...")``.
    """
    server = start(store_path, host, port or free_port(host), cors=cors, timeout_s=timeout_s,
                   startup_timeout=startup_timeout)
    try:
        yield server.url
    finally:
        server.stop()


def serve(store_path: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
          cors: bool = True, timeout_s: int | None = None,
          on_ready: Callable[[Server], None] | None = None) -> None:
    """Serve the store until Ctrl-C or SIGTERM; a server that dies on its own is a KgError."""
    server = start(store_path, host, port, cors=cors, timeout_s=timeout_s)
    with _sigterm_as_interrupt():
        try:
            if on_ready is not None:
                on_ready(server)
            code = server.process.wait()
        except KeyboardInterrupt:
            return
        finally:
            server.stop()
    if code in (-signal.SIGINT, -signal.SIGTERM, 128 + signal.SIGINT):
        return  # Ctrl-C reached the server (same process group) before us
    raise KgError(f"the oxigraph server stopped (exit {code}): {server.last_error()}")


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Make SIGTERM stop the server as cleanly as Ctrl-C (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
