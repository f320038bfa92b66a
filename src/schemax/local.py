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
Resolved once to local files and cached by :mod:`schemax.local_jars` (no Ivy and no network at
a session's start); ``python -m schemax.local --warm`` does it ahead of time.

The embedded Derby metastore admits one JVM at a time. A process that starts a session holds an exclusive
lock on ``<home>/engine.lock`` (with its pid in it) until its JVM ends; a second process asking for the same
home is refused at once with :class:`~schemax.errors.LocalEngineBusyError`, one line naming the holder,
instead of Derby's stack trace at its first catalog access. Give each concurrent process its own home.

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
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemax.errors import LocalEngineBusyError
from schemax.local_jars import jars_cache_file, pyspark_jars_dir, read_cache, resolve_delta_jars

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

logger = logging.getLogger("schemax.local")

DEFAULT_HOME = ".schemax-local"
DEFAULT_DRIVER_MEMORY = "1g"

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
# a MERGE that loses a commit race (the store's lock row, issue 16) raises to schemax, which handles it;
# Delta also logs it at ERROR with its stack trace, which the user must not see
logger.deltamerge.name = org.apache.spark.sql.delta.commands.MergeIntoCommand
logger.deltamerge.level = off
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


# --------------------------------------------------------------------------------------------------
# the session


def hive_available() -> bool:
    """Whether the Spark installation ships Hive support (the pip wheel does: spark-hive + Hive 2.3)."""
    jars = pyspark_jars_dir()
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
        # $SCHEMAX_LOCAL_JAVA_OPTIONS: more driver JVM options (a later -XX option wins over ours)
        *(os.environ.get("SCHEMAX_LOCAL_JAVA_OPTIONS") or "").split(),
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
    _claim_home(home)
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


#: the local homes this process holds (home -> the descriptor of its locked engine.lock); kept until the
#: JVM ends (Derby keeps its database booted in the JVM after a session stops)
_held_homes: dict[Path, int] = {}


def _claim_home(home: Path) -> None:
    """Take ``home``'s engine lock for this process, or raise LocalEngineBusyError naming the holder.

    ``flock`` is released by the OS when the holder dies, SIGKILL included, so a lock is never stale."""
    if home in _held_homes or fcntl is None:  # no fcntl (Windows): Derby's own error stays the guard
        return
    fd = os.open(home / "engine.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.read(fd, 32).decode("ascii", "replace").strip() or None
        os.close(fd)
        raise LocalEngineBusyError(str(home), holder) from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode("ascii"))
    _held_homes[home] = fd


def _release_homes(*homes: Path) -> None:
    """Release the engine locks of ``homes`` (all this process holds when none is named)."""
    for home in list(homes or _held_homes):
        fd = _held_homes.pop(home, None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)  # closing the descriptor releases its flock


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
        _release_homes()


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
        was_cached = read_cache(jars_cache_file()) is not None
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
