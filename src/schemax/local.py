"""Embedded engine: a local Spark + Delta Lake session for laptops, CI, tests and the demo.

``spark_session()`` returns a ``local[2]`` SparkSession with Delta Lake and a Hive metastore kept in a
project-local directory, so that schemas and tables survive the process and are seen by the next one:

    <home>/warehouse      table data (``spark.sql.warehouse.dir``)
    <home>/metastore_db   embedded Derby metastore (Hive support, pyspark wheel's builtin Hive 2.3)
    <home>/derby.log      Derby's log (``derby.system.home``), never in the working directory
    <home>/log4j2.properties  the quiet log4j configuration handed to the driver JVM

``<home>`` is the ``warehouse_dir`` argument, else ``$SCHEMAX_LOCAL_HOME``, else ``./.schemax-local``.

Delta's jars
------------
``delta.configure_spark_with_delta_pip`` sets ``spark.jars.packages``, which makes every session start
run Spark's Ivy resolver (and needs the network the first time and sometimes after). Instead, the
jars are resolved once to local files and their paths cached in a small text file
(``$SCHEMAX_JARS_CACHE``, default ``~/.cache/schemax/delta-jars-<artifact>-<version>.txt``; a user-level
file so that test runs with temporary warehouses share it). Every later start passes the files with
``spark.jars``: no Ivy, no network. Resolution tries, in order:

a. ``~/.m2/repository`` (``$SCHEMAX_M2_REPO``): when the delta-spark jar is already there, Maven in
   offline mode lists its runtime closure;
b. Spark's own Ivy resolver (``spark.jars.packages``) in a short-lived JVM (no SparkContext), reading
   back the resolved files (``~/.ivy2.5.2/jars`` or ``$SCHEMAX_IVY_HOME``);
c. ``mvn dependency:build-classpath`` online into ``~/.m2/repository``.

The Maven coordinate follows delta-spark's pip helper: ``io.delta:delta-spark_<spark major.minor>_2.13``
at the installed ``delta-spark`` version. If that exact version is not published (pip and Maven
releases do not always line up: pip ``delta-spark 4.4.1`` pairs with jars ``4.4.0`` on Maven Central),
the earlier patch releases of the same minor are tried, newest first. ``$SCHEMAX_DELTA_PACKAGE`` forces
one coordinate; ``$SCHEMAX_DELTA_JARS`` (comma-separated paths) skips resolution altogether.

Resolved jars that the pyspark wheel already ships (hadoop, parquet, jackson, log4j, ...) are left out:
the JVM would load pyspark's copies first anyway.

Caveat: the embedded Derby metastore admits one JVM at a time. Two processes using the same ``<home>``
concurrently fail at their first catalog access; give each its own ``warehouse_dir``.

Command line: ``python -m schemax.local --warm`` resolves the jars, round-trips a Delta table and prints
the measured start times.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no file lock (jar resolution is idempotent anyway)
    fcntl = None

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

logger = logging.getLogger("schemax.local")

SCALA_VERSION = "2.13"
DEFAULT_HOME = ".schemax-local"
DEFAULT_DRIVER_MEMORY = "1g"
MAVEN_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
_RESOLVE_TIMEOUT_S = 900

_DELTA_CONF: dict[str, str] = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}

_LOCAL_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    # Delta rebuilds table state with 50 partitions by default: far too many for tiny local tables.
    "spark.databricks.delta.snapshotPartitions": "2",
    "spark.sql.sources.parallelPartitionDiscovery.parallelism": "2",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.debug.maxToStringFields": "1000",
}

_LOG4J2_PROPERTIES = """\
# Written by schemax.local: Spark's defaults, with the root at WARN and the startup noise removed.
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
logger.jetty.name = org.sparkproject.jetty
logger.jetty.level = warn
logger.jetty2.name = org.sparkproject.jetty.util.component.AbstractLifeCycle
logger.jetty2.level = error
logger.native.name = org.apache.hadoop.util.NativeCodeLoader
logger.native.level = error
logger.hms.name = org.apache.hadoop.hive.metastore.RetryingHMSHandler
logger.hms.level = fatal
logger.objectstore.name = org.apache.hadoop.hive.metastore.ObjectStore
logger.objectstore.level = error
logger.hivecatalog.name = org.apache.spark.sql.hive.HiveExternalCatalog
logger.hivecatalog.level = error
logger.hiveconf.name = org.apache.hadoop.hive.conf.HiveConf
logger.hiveconf.level = error
logger.hivesession.name = org.apache.hadoop.hive.ql.session.SessionState
logger.hivesession.level = error
logger.datanucleus.name = DataNucleus
logger.datanucleus.level = error
logger.strutils.name = org.apache.spark.util.SparkStringUtils
logger.strutils.level = error
logger.parquet.name = org.apache.parquet.CorruptStatistics
logger.parquet.level = error
logger.txn.name = org.apache.hadoop.hive.metastore.txn.TxnHandler
logger.txn.level = error
logger.checkpoint.name = org.apache.spark.rdd.MapPartitionsRDD
logger.checkpoint.level = error
logger.filesink.name = org.apache.spark.sql.execution.streaming.sinks.FileStreamSink
logger.filesink.level = error
logger.filesink2.name = org.apache.spark.sql.execution.streaming.FileStreamSink
logger.filesink2.level = error
logger.delcmd.name = org.apache.spark.sql.delta.commands.DeleteCommand
logger.delcmd.level = error
"""

# The session this module started, and the home it uses.
_session: SparkSession | None = None
_session_home: Path | None = None


# --------------------------------------------------------------------------------------------------
# paths


def local_home(warehouse_dir: str | os.PathLike[str] | None = None) -> Path:
    """The directory holding the warehouse, the metastore and Derby's log, as an absolute path."""
    if warehouse_dir is not None:
        root = Path(warehouse_dir)
    else:
        root = Path(os.environ.get("SCHEMAX_LOCAL_HOME") or DEFAULT_HOME)
    return root.expanduser().resolve()


def _m2_repo() -> Path:
    return Path(os.environ.get("SCHEMAX_M2_REPO") or Path.home() / ".m2" / "repository").expanduser()


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "schemax"


# --------------------------------------------------------------------------------------------------
# Delta jar resolution


def _installed_version(dist: str) -> str:
    return metadata.version(dist)


def _delta_artifact() -> str:
    import pyspark  # optional: schemax[local] installs it

    spark_major_minor = ".".join(pyspark.__version__.split(".")[:2])
    return f"delta-spark_{spark_major_minor}_{SCALA_VERSION}"


def delta_coordinates() -> list[str]:
    """Maven coordinates to try for Delta's jars, best first."""
    forced = os.environ.get("SCHEMAX_DELTA_PACKAGE")
    if forced:
        return [forced.strip()]
    artifact = _delta_artifact()
    version = _installed_version("delta-spark")
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
    if not match:
        return [f"io.delta:{artifact}:{version}"]
    major, minor, patch = (int(g) for g in match.groups())
    return [f"io.delta:{artifact}:{major}.{minor}.{p}" for p in range(patch, -1, -1)]


def _jars_cache_file() -> Path:
    explicit = os.environ.get("SCHEMAX_JARS_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    import pyspark  # optional: schemax[local] installs it

    key = f"{_delta_artifact()}-{_installed_version('delta-spark')}-pyspark{pyspark.__version__}"
    return _cache_dir() / f"delta-jars-{key}.txt"


def _cache_key() -> str:
    return "|".join(delta_coordinates())


def _read_cache(path: Path) -> list[str] | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    if not lines or lines[0] != f"# {_cache_key()}":
        return None
    jars = [line for line in lines[1:] if line and not line.startswith("#")]
    if not jars or not all(Path(j).is_file() for j in jars):
        return None
    return jars


def _write_cache(path: Path, coordinate: str, source: str, jars: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join([f"# {_cache_key()}", f"# resolved {coordinate} via {source}", *jars]) + "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock, so that concurrent first starts resolve the jars once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover - Windows: no lock, resolution is idempotent anyway
        yield
        return
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pyspark_jars_dir() -> Path:
    spark_home = os.environ.get("SPARK_HOME")
    if spark_home and (Path(spark_home) / "jars").is_dir():
        return Path(spark_home) / "jars"
    import pyspark  # optional: schemax[local] installs it

    return Path(pyspark.__file__).parent / "jars"


def _artifact_of_file_name(name: str) -> str:
    stem = name[:-4] if name.endswith(".jar") else name
    match = re.match(r"(.+?)-\d", stem)
    return match.group(1) if match else stem


def _artifact_of(jar: Path) -> str:
    # ~/.m2 layout: <group path>/<artifact>/<version>/<artifact>-<version>.jar
    if jar.name.startswith(f"{jar.parent.parent.name}-"):
        return jar.parent.parent.name
    # Spark's Ivy retrieve layout: <organisation>_<artifact>-<revision>.jar
    return _artifact_of_file_name(jar.name.split("_", 1)[1] if "_" in jar.name else jar.name)


def _drop_provided(jars: list[str]) -> list[str]:
    """Leave out jars whose artifact the Spark installation already ships."""
    provided_dir = _pyspark_jars_dir()
    provided = {_artifact_of_file_name(p.name) for p in provided_dir.glob("*.jar")}
    kept = [j for j in jars if _artifact_of(Path(j)) not in provided]
    dropped = len(jars) - len(kept)
    if dropped:
        logger.debug("left out %d jar(s) already shipped in %s", dropped, provided_dir)
    return kept


def _split_coordinate(coordinate: str) -> tuple[str, str, str]:
    group, artifact, version = coordinate.split(":")
    return group, artifact, version


def _resolve_with_maven(coordinate: str, *, offline: bool) -> list[str] | None:
    mvn = shutil.which("mvn")
    if mvn is None:
        logger.debug("mvn not found on PATH")
        return None
    group, artifact, version = _split_coordinate(coordinate)
    pom = f"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>schemax.local</groupId>
  <artifactId>delta-jars</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId><version>{version}</version></dependency>
  </dependencies>
</project>
"""
    with tempfile.TemporaryDirectory(prefix="schemax-mvn-") as tmp:
        Path(tmp, "pom.xml").write_text(pom, encoding="utf-8")
        out = Path(tmp, "classpath.txt")
        cmd = [
            mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(Path(tmp, "pom.xml")),
            f"-Dmaven.repo.local={_m2_repo()}",
            f"{MAVEN_DEPENDENCY_PLUGIN}:build-classpath",
            f"-Dmdep.outputFile={out}", "-Dmdep.includeScope=runtime",
        ]  # fmt: skip
        if offline:
            cmd.insert(1, "-o")
        logger.info("resolving %s with Maven%s", coordinate, " (offline)" if offline else "")
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=_RESOLVE_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            logger.info("Maven failed for %s: %s", coordinate, exc)
            return None
        if proc.returncode != 0 or not out.is_file():
            errors = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.startswith("[ERROR]")]
            logger.info(
                "Maven could not resolve %s: %s", coordinate, errors[0] if errors else _tail(proc.stderr)
            )
            return None
        entries = [e for e in out.read_text(encoding="utf-8").strip().split(os.pathsep) if e]
    jars = [str(Path(e).resolve()) for e in entries if e.endswith(".jar")]
    # The artifact itself is not part of its own classpath listing.
    own = _m2_repo() / Path(*group.split(".")) / artifact / version / f"{artifact}-{version}.jar"
    if not own.is_file():
        return None
    own_path = str(own.resolve())
    return jars if own_path in jars else [own_path, *jars]


_IVY_SCRIPT = """
import sys
from pyspark import SparkConf
from pyspark.java_gateway import launch_gateway
conf = SparkConf(loadDefaults=False).set("spark.jars.packages", sys.argv[1])
if sys.argv[2]:
    conf.set("spark.jars.ivy", sys.argv[2])
gateway = launch_gateway(conf)
print("SCHEMAX_JARS=" + (gateway.jvm.System.getProperty("spark.jars") or ""), flush=True)
"""


def _resolve_with_ivy(coordinate: str) -> list[str] | None:
    """Spark's Ivy resolution (as ``spark.jars.packages`` does it) in a short-lived JVM."""
    logger.info("resolving %s with Spark's Ivy resolver", coordinate)
    env = dict(os.environ)
    for var in ("PYSPARK_GATEWAY_PORT", "PYSPARK_GATEWAY_SECRET", "PYSPARK_SUBMIT_ARGS"):
        env.pop(var, None)
    cmd = [sys.executable, "-c", _IVY_SCRIPT, coordinate, os.environ.get("SCHEMAX_IVY_HOME", "")]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=_RESOLVE_TIMEOUT_S, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.info("Ivy failed for %s: %s", coordinate, exc)
        return None
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("SCHEMAX_JARS=")), None)
    if proc.returncode != 0 or not line or line == "SCHEMAX_JARS=":
        logger.info("Ivy could not resolve %s: %s", coordinate, _tail(proc.stderr))
        return None
    jars = []
    for uri in line.removeprefix("SCHEMAX_JARS=").split(","):
        path = uri.removeprefix("file://") if uri.startswith("file://") else uri.removeprefix("file:")
        jars.append(str(Path(path).resolve()))
    return jars


def _tail(text: str, lines: int = 5) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])


def _resolve(coordinates: list[str]) -> tuple[str, str, list[str]]:
    m2 = _m2_repo()
    for coordinate in coordinates:  # (a) already in the local Maven repository
        group, artifact, version = _split_coordinate(coordinate)
        if (m2 / Path(*group.split(".")) / artifact / version / f"{artifact}-{version}.jar").is_file():
            jars = _resolve_with_maven(coordinate, offline=True)
            if jars:
                return coordinate, "m2", jars
    for coordinate in coordinates:  # (b) Spark's Ivy resolver
        jars = _resolve_with_ivy(coordinate)
        if jars:
            return coordinate, "ivy", jars
    for coordinate in coordinates:  # (c) Maven, online
        jars = _resolve_with_maven(coordinate, offline=False)
        if jars:
            return coordinate, "maven", jars
    raise RuntimeError(
        f"could not resolve Delta Lake's jars ({', '.join(coordinates)}) from {m2}, Spark's Ivy "
        "resolver or Maven. Check network access to Maven Central (or set DEFAULT_ARTIFACT_REPOSITORY "
        "to a mirror), or point SCHEMAX_DELTA_JARS at the jar files."
    )


def resolve_delta_jars(*, refresh: bool = False) -> list[str]:
    """Local paths of Delta Lake's jars (and the runtime dependencies Spark does not ship).

    Served from the cache file when every listed jar still exists; otherwise resolved (see the module
    docstring) and cached. Safe to call from concurrent processes.
    """
    explicit = os.environ.get("SCHEMAX_DELTA_JARS")
    if explicit:
        return [j.strip() for j in explicit.split(",") if j.strip()]
    cache = _jars_cache_file()
    if not refresh:
        cached = _read_cache(cache)
        if cached:
            logger.debug("Delta jars from %s", cache)
            return cached
    with _file_lock(cache.with_name(cache.name + ".lock")):
        if not refresh:
            cached = _read_cache(cache)  # another process may have resolved them meanwhile
            if cached:
                return cached
        started = time.perf_counter()
        coordinates = delta_coordinates()
        coordinate, source, jars = _resolve(coordinates)
        jars = _drop_provided(list(dict.fromkeys(jars)))
        _write_cache(cache, coordinate, source, jars)
        if coordinate != coordinates[0]:
            logger.info(
                "%s is not published; using %s (Python package delta-spark %s)",
                coordinates[0], coordinate, _installed_version("delta-spark"),
            )  # fmt: skip
        logger.info(
            "resolved %s via %s in %.1fs: %d jar(s), cached in %s",
            coordinate, source, time.perf_counter() - started, len(jars), cache,
        )  # fmt: skip
        return jars


# --------------------------------------------------------------------------------------------------
# the session


def hive_available() -> bool:
    """Whether the Spark installation ships Hive support (the pip wheel does: spark-hive + Hive 2.3)."""
    jars = _pyspark_jars_dir()
    return any(jars.glob("spark-hive_*.jar")) and any(jars.glob("hive-metastore-*.jar"))


def _write_if_changed(path: Path, text: str) -> None:
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    path.write_text(text, encoding="utf-8")


def _java_option(option: str) -> str:
    """Quote an option for spark.driver.extraJavaOptions (Spark's launcher parses quotes)."""
    if not re.search(r"[\s\"'\\]", option):
        return option
    return '"' + option.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _session_conf(home: Path, jars: list[str], app_name: str) -> dict[str, str]:
    log4j = home / "log4j2.properties"
    _write_if_changed(log4j, _LOG4J2_PROPERTIES)
    java_options = [
        _java_option(f"-Dlog4j2.configurationFile={log4j.as_uri()}"),
        _java_option(f"-Dderby.system.home={home}"),
    ]
    conf = {
        "spark.master": "local[2]",
        "spark.app.name": app_name,
        **_DELTA_CONF,
        **_LOCAL_CONF,
        "spark.driver.memory": os.environ.get("SCHEMAX_DRIVER_MEMORY") or DEFAULT_DRIVER_MEMORY,
        "spark.jars": ",".join(jars),
        "spark.sql.warehouse.dir": str(home / "warehouse"),
        "spark.driver.extraJavaOptions": " ".join(java_options),
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
    }
    if hive_available():
        conf["spark.sql.catalogImplementation"] = "hive"
        metastore = home / "metastore_db"
        conf["spark.hadoop.javax.jdo.option.ConnectionURL"] = (
            f"jdbc:derby:;databaseName={metastore};create=true"
        )
        conf["spark.hadoop.hive.metastore.warehouse.dir"] = str(home / "warehouse")
        conf["spark.hadoop.hive.exec.scratchdir"] = str(home / "tmp" / "hive")
        conf["spark.hadoop.hive.exec.local.scratchdir"] = str(home / "tmp" / "hive-local")
    else:
        # No Hive classes (e.g. a Spark build without Hive): the in-memory catalog keeps the table
        # definitions for this process only; the Delta data stays under <home>/warehouse and can be
        # re-registered with CREATE TABLE ... USING DELTA LOCATION '<path>'.
        logger.warning(
            "Spark has no Hive support here: using the in-memory catalog (tables do not outlive the process)"
        )
        conf["spark.sql.catalogImplementation"] = "in-memory"
    return conf


def spark_session(
    warehouse_dir: str | os.PathLike[str] | None = None,
    *,
    app_name: str = "schemax",
    extra_conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """A local SparkSession (``local[2]``) with Delta Lake and a persistent Hive metastore.

    ``warehouse_dir`` is the local home: it holds ``warehouse/``, ``metastore_db/`` and ``derby.log``
    (default ``$SCHEMAX_LOCAL_HOME`` or ``./.schemax-local``). Calling again returns the running
    session; with ``warehouse_dir=None`` whatever home it uses, with an explicit directory only if it is
    the same one (otherwise ``ValueError``: call ``stop_session()`` first).
    """
    global _session, _session_home

    if _session is not None and _session_is_alive(_session):
        if warehouse_dir is None or local_home(warehouse_dir) == _session_home:
            return _session
        raise ValueError(
            f"a local Spark session is already running with home {_session_home}; "
            f"call schemax.local.stop_session() before starting one in {local_home(warehouse_dir)}"
        )

    from pyspark.sql import SparkSession  # optional: schemax[local] installs it

    home = local_home(warehouse_dir)
    (home / "warehouse").mkdir(parents=True, exist_ok=True)
    jars = resolve_delta_jars()
    conf = _session_conf(home, jars, app_name)
    for key, value in (extra_conf or {}).items():
        if key == "spark.driver.extraJavaOptions":
            conf[key] = f"{conf[key]} {value}"
        else:
            conf[key] = value
    # Bind to loopback: no "hostname resolves to a loopback address" warning, nothing exposed.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Python workers must run this interpreter (this venv), not whatever "python3" is on PATH: pyspark
    # takes the worker executable from PYSPARK_PYTHON only (spark.pyspark.python is not read for it).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    started = time.perf_counter()
    builder: Any = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    if conf["spark.sql.catalogImplementation"] == "hive":
        builder = builder.enableHiveSupport()
    session = builder.getOrCreate()
    if "DeltaSparkSessionExtension" not in (session.conf.get("spark.sql.extensions", "") or ""):
        logger.warning("a SparkSession without Delta Lake was already running in this process; reusing it")
    session.sparkContext.setLogLevel("WARN")
    _quiet_pyspark_error_logs()
    _session, _session_home = session, home
    logger.info("local Spark %s session started in %.1fs (home %s)", session.version,
                time.perf_counter() - started, home)  # fmt: skip
    return session


def _quiet_pyspark_error_logs() -> None:
    """pyspark 4 also logs every SQL error it raises, as an ERROR line of JSON on stderr. The exception
    still reaches the caller; the log line is noise for code that expects and handles the error (capability
    probes, IF EXISTS fallbacks). ``SCHEMAX_SPARK_ERROR_LOGS=1`` keeps them."""
    if os.environ.get("SCHEMAX_SPARK_ERROR_LOGS"):
        return
    try:
        from pyspark.logger import PySparkLogger  # optional: schemax[local] installs it
    except ImportError:  # pragma: no cover - older pyspark
        return
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


def _session_is_alive(session: SparkSession) -> bool:
    try:
        sc = session.sparkContext
        return getattr(sc, "_jsc", None) is not None and not sc._jsc.sc().isStopped()
    except Exception:  # noqa: BLE001 - a dead JVM raises all sorts of py4j errors
        return False


def stop_session(*, shutdown_jvm: bool = False) -> None:
    """Stop the session started by ``spark_session()`` (if any).

    pyspark keeps its JVM after a stop and reuses it for the next session, with the jars and JVM
    options of the first one. ``shutdown_jvm=True`` ends that JVM too, so the next start is clean.
    """
    global _session, _session_home
    session, _session, _session_home = _session, None, None
    if session is not None:
        with contextlib.suppress(Exception):
            session.stop()
    if shutdown_jvm:
        from pyspark import SparkContext  # optional: schemax[local] installs it

        gateway = SparkContext._gateway
        if gateway is not None:
            proc = getattr(gateway, "proc", None)
            with contextlib.suppress(Exception):
                gateway.shutdown()
            if proc is not None:
                with contextlib.suppress(Exception):
                    if proc.stdin:
                        proc.stdin.close()  # the gateway JVM exits when its stdin closes
                    proc.wait(timeout=30)
            SparkContext._gateway = None
            SparkContext._jvm = None


# --------------------------------------------------------------------------------------------------
# warm-up and command line


def warm_up(warehouse_dir: str | os.PathLike[str] | None = None) -> dict[str, float]:
    """Resolve the jars, start a session, round-trip a Delta table in a throw-away schema, stop.

    With ``warehouse_dir=None`` a temporary home is used (and removed), so that warming up never
    touches, or waits on, the project's metastore. Returns the measured seconds.
    """
    timings: dict[str, float] = {}
    temp_home = None
    if warehouse_dir is None:
        temp_home = tempfile.mkdtemp(prefix="schemax-warm-")
        warehouse_dir = temp_home
    try:
        t0 = time.perf_counter()
        resolve_delta_jars()
        timings["resolve_jars_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        spark = spark_session(warehouse_dir, app_name="schemax-warm-up")
        spark.sql("SELECT 1").collect()
        timings["session_start_s"] = time.perf_counter() - t1
        timings["start_total_s"] = time.perf_counter() - t0
        t2 = time.perf_counter()
        schema = f"schemax_warm_up_{uuid.uuid4().hex[:8]}"
        try:
            spark.sql(f"CREATE SCHEMA `{schema}`")
            spark.sql(f"CREATE TABLE `{schema}`.`t` (id BIGINT, name STRING) USING DELTA")
            spark.sql(f"INSERT INTO `{schema}`.`t` VALUES (1, 'a'), (2, 'b')")
            rows = spark.sql(f"SELECT id, name FROM `{schema}`.`t` ORDER BY id").collect()
            if [tuple(r) for r in rows] != [(1, "a"), (2, "b")]:
                raise RuntimeError(f"Delta round trip returned {rows!r}")
            fmt = spark.sql(f"DESCRIBE DETAIL `{schema}`.`t`").collect()[0]["format"]
            if fmt != "delta":
                raise RuntimeError(f"expected a delta table, got format {fmt!r}")
        finally:
            with contextlib.suppress(Exception):
                spark.sql(f"DROP SCHEMA IF EXISTS `{schema}` CASCADE")
        timings["delta_round_trip_s"] = time.perf_counter() - t2
    finally:
        stop_session()
        if temp_home:
            shutil.rmtree(temp_home, ignore_errors=True)
    logger.info("warm-up: %s", ", ".join(f"{k}={v:.1f}" for k, v in timings.items()))
    return timings


def _time_start(warehouse_dir: str | None) -> dict[str, float]:
    t0 = time.perf_counter()
    spark = spark_session(warehouse_dir)
    spark.sql("SELECT 1").collect()
    t1 = time.perf_counter()
    spark.sql("SHOW DATABASES").collect()  # first metastore access
    t2 = time.perf_counter()
    stop_session()
    return {"session_start_s": t1 - t0, "first_catalog_access_s": t2 - t1}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m schemax.local", description=__doc__.split("\n")[0])
    parser.add_argument("--warm", action="store_true", help="resolve the jars, round-trip a Delta table, "
                        "then time a warm start in a fresh process")  # fmt: skip
    parser.add_argument("--refresh", action="store_true", help="re-resolve the jars even if cached")
    parser.add_argument("--jars", action="store_true", help="print the resolved jar paths")
    parser.add_argument("--time-start", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--home", default=None, help="local home (default $SCHEMAX_LOCAL_HOME or ./.schemax-local)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if args.time_start:  # internal: one start in a fresh process, figures as JSON
        print(json.dumps(_time_start(args.home)))
        return 0
    if args.refresh or args.jars:
        jars = resolve_delta_jars(refresh=args.refresh)
        if args.jars:
            print("\n".join(jars))
    if args.warm:
        was_cached = _read_cache(_jars_cache_file()) is not None
        first = warm_up(args.home)
        timing_home = args.home or tempfile.mkdtemp(prefix="schemax-warm-")
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "schemax.local", "--time-start", "--home", timing_home],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
        finally:
            if not args.home:
                shutil.rmtree(timing_home, ignore_errors=True)
        last = proc.stdout.strip().splitlines()[-1:]
        if proc.returncode != 0 or not last:
            print(f"warm start check failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
            return 1
        warm = json.loads(last[0])
        label = "warm (jars cached)" if was_cached else "cold (jars resolved)"
        print(f"first start, {label}: {first['start_total_s']:.1f}s "
              f"(jar resolution {first['resolve_jars_s']:.1f}s, session {first['session_start_s']:.1f}s); "
              f"Delta round trip {first['delta_round_trip_s']:.1f}s")  # fmt: skip
        print(f"warm start, fresh process: {warm['session_start_s']:.1f}s "
              f"(+ first metastore access {warm['first_catalog_access_s']:.1f}s)")  # fmt: skip
    if not (args.warm or args.refresh or args.jars):
        parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
