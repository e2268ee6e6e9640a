"""The local Spark session behind ``engine="spark"`` (needs ``pip install 'kuager[spark]'`` and Java 17+).

One session per process, made on first use by :func:`session` and reused by
every later :func:`kuager.linkage.link` call: local, 2 cores by default, its
checkpoints, shuffle files and Spark's own log in one temporary directory, no
console progress bars and no Spark log lines on the terminal (they go to
``spark.log`` in that directory, errors only). :func:`stop` ends the session and
removes the directory; it also runs when the Python process exits.

Splink's Spark backend needs two things the session gives it: Splink's jar of
string-similarity functions (``jaro_winkler`` ...) and a checkpoint directory
(Splink writes intermediate tables there as parquet).

:func:`register_similarity` registers :data:`kuager.linkage.model.SIMILARITY_UDF`
as a vectorised (pandas) Python function, the Spark counterpart of the DuckDB one.
Spark evaluates a Python function for every row of a projection, whatever the
condition around it, so the caller passes NULL for pairs that share no name key
(the function answers NULL at once for those).

No Django import here.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from functools import lru_cache
from typing import Any

import pandas as pd

from kuager.errors import KuagerError

#: Log4j 2 configuration: Spark's log goes to a file, errors only.
_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = {path}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{{yy/MM/dd HH:mm:ss}} %p %c{{1}}: %m%n
"""

_state: dict[str, Any] = {"session": None, "dir": None}


def available() -> str | None:
    """None if a Spark session can be made here, else the reason (pyspark or Java missing)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed: pip install 'kuager[spark]'"
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))):
        return "Java (17 or later) is not found: install a JDK or set JAVA_HOME"
    return None


def session(cores: int = 2, memory: str = "4g"):
    """The process's local Spark session, made on first call.

    Args:
        cores: local cores (``local[cores]``); only used when the session is made.
        memory: driver memory, e.g. ``"4g"`` (in local mode the driver does all the work).
    Returns:
        a ``pyspark.sql.SparkSession`` with Splink's similarity jar, a checkpoint
        directory and :data:`kuager.linkage.model.SIMILARITY_UDF` registered.
    Raises:
        KuagerError: pyspark or Java is missing, or the session cannot start.
    """
    if _state["session"] is not None:
        return _state["session"]
    reason = available()
    if reason:
        raise KuagerError(f"--engine spark: {reason}")
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    tmp = tempfile.mkdtemp(prefix="kuager-spark-")
    log_conf = os.path.join(tmp, "log4j2.properties")
    with open(log_conf, "w", encoding="utf-8") as fh:
        fh.write(_LOG4J.format(path=os.path.join(tmp, "spark.log")))
    java_opts = f"-Dlog4j2.configurationFile=file:{log_conf}"
    # bind to the loopback address: no "hostname resolves to a loopback address" warning,
    # nothing listening on the network
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Python workers run this interpreter (the one with kuager installed), not "python3" on PATH
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(f"local[{int(cores)}]").appName("kuager-linkage")
               .config("spark.jars", similarity_jar_location())
               .config("spark.driver.memory", memory)
               .config("spark.driver.extraJavaOptions", java_opts)
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(2 * int(cores)))
               .config("spark.default.parallelism", str(2 * int(cores)))
               .config("spark.local.dir", os.path.join(tmp, "local"))
               .config("spark.sql.warehouse.dir", os.path.join(tmp, "warehouse"))
               .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    # the JVM prints a few lines of its own before log4j is configured (e.g. "Using
    # incubator modules"): send the JVM's stderr to a file while it starts
    err_path = os.path.join(tmp, "jvm-stderr.log")
    saved = os.dup(2)
    try:
        with open(err_path, "ab") as err:
            sys.stderr.flush()
            os.dup2(err.fileno(), 2)
            try:
                spark = builder.getOrCreate()
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    except Exception as exc:  # noqa: BLE001 - py4j and the JVM raise many kinds
        shutil.rmtree(tmp, ignore_errors=True)
        raise KuagerError(f"--engine spark: the Spark session did not start ({exc})") from None
    finally:
        os.close(saved)
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(os.path.join(tmp, "checkpoints"))
    register_similarity(spark)
    _state.update(session=spark, dir=tmp)
    return spark


def stop() -> None:
    """Stop the session made by :func:`session` (if any) and remove its temporary directory."""
    spark, tmp = _state["session"], _state["dir"]
    _state.update(session=None, dir=None)
    if spark is not None:
        try:
            spark.stop()
        except Exception:  # noqa: BLE001 - the JVM may already be gone at exit
            pass
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)


atexit.register(stop)


def jvm_usage() -> dict[str, float] | None:
    """CPU seconds and peak resident memory of the session's JVM (Linux ``/proc``).

    Returns:
        ``{"cpu_seconds": user + system of the JVM and its finished children (the Python
        workers), "peak_mb": the JVM's peak resident MB}``, or None without a session or
        ``/proc``. The JVM is a child of this process that lives until it exits, so
        ``resource.getrusage`` does not count it.
    """
    spark = _state["session"]
    proc = getattr(getattr(spark, "sparkContext", None), "_gateway", None)
    pid = getattr(getattr(proc, "proc", None), "pid", None)
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            hwm = next((int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), 0)
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    # fields after the name: state is [0], so utime, stime, cutime, cstime are [11:15]
    cpu = sum(int(x) for x in fields[11:15]) / ticks
    return {"cpu_seconds": cpu, "peak_mb": hwm / 1024}


@lru_cache(maxsize=2_000_000)
def best_similarity(a: str, b: str) -> float:
    """:func:`kuager.linkage.model.best_name_similarity`, cached in each Spark Python worker."""
    from kuager.linkage.model import best_name_similarity

    return best_name_similarity(a, b)


def _similarity_batch(a: pd.Series, b: pd.Series) -> pd.Series:
    return pd.Series([best_similarity(x, y) if isinstance(x, str) and isinstance(y, str) and x and y else None
                      for x, y in zip(a, b)], dtype="float64")


def register_similarity(spark) -> None:
    """Register :data:`kuager.linkage.model.SIMILARITY_UDF` (two ``names`` values -> double or NULL) in ``spark``."""
    from pyspark.sql.functions import pandas_udf

    from kuager.linkage.model import SIMILARITY_UDF

    spark.udf.register(SIMILARITY_UDF, pandas_udf(_similarity_batch, "double"))


def to_spark(spark, features):
    """A Spark DataFrame of the features with an explicit schema.

    Args:
        features: output of :func:`kuager.linkage.features.prepare`; ``*_keys``,
            ``*_variants`` and ``place_pref`` columns hold lists of strings or None, ``by_lo``/``by_hi``
            integers or NA, boolean columns (``typo_rare``) True/False, the others text or None.
    Returns:
        a ``pyspark.sql.DataFrame`` with the same columns (arrays of strings, bigint,
        boolean, string).
    """
    from pyspark.sql.types import ArrayType, BooleanType, LongType, StringType, StructField, StructType

    fields, cols = [], {}
    for col in features.columns:
        values = features[col]
        if col in ("by_lo", "by_hi"):
            fields.append(StructField(col, LongType(), True))
            cols[col] = [None if pd.isna(v) else int(v) for v in values]
        elif col.endswith(("_keys", "_variants")) or col == "place_pref":
            fields.append(StructField(col, ArrayType(StringType()), True))
            cols[col] = [list(v) if isinstance(v, (list, tuple, set, frozenset)) else None for v in values]
        elif str(values.dtype) == "bool":
            fields.append(StructField(col, BooleanType(), False))
            cols[col] = [bool(v) for v in values]
        else:
            fields.append(StructField(col, StringType(), True))
            cols[col] = [None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in values]
    rows = list(zip(*(cols[c] for c in features.columns))) if len(features) else []
    return spark.createDataFrame(rows, schema=StructType(fields))
