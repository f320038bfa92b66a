"""Delta Lake's jars for the embedded engine, resolved once to local files and cached.

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
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from types import ModuleType

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no file lock (jar resolution is idempotent anyway)
    fcntl = None

logger = logging.getLogger("schemax.local")

SCALA_VERSION = "2.13"
MAVEN_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
_RESOLVE_TIMEOUT_S = 900


def _m2_repo() -> Path:
    return Path(os.environ.get("SCHEMAX_M2_REPO") or Path.home() / ".m2" / "repository").expanduser()


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "schemax"




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


def jars_cache_file() -> Path:
    explicit = os.environ.get("SCHEMAX_JARS_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    import pyspark  # optional: schemax[local] installs it

    key = f"{_delta_artifact()}-{_installed_version('delta-spark')}-pyspark{pyspark.__version__}"
    return _cache_dir() / f"delta-jars-{key}.txt"


def _cache_key() -> str:
    return "|".join(delta_coordinates())


def read_cache(path: Path) -> list[str] | None:
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


def pyspark_jars_dir() -> Path:
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
    provided_dir = pyspark_jars_dir()
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
    cache = jars_cache_file()
    if not refresh:
        cached = read_cache(cache)
        if cached:
            logger.debug("Delta jars from %s", cache)
            return cached
    with _file_lock(cache.with_name(cache.name + ".lock")):
        if not refresh:
            cached = read_cache(cache)  # another process may have resolved them meanwhile
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
