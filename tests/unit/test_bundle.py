"""The Databricks Asset Bundle: databricks.yml and resources/*.yml against the official bundle JSON schema.

The schema (what ``databricks bundle schema`` prints) lives in
``../shared/reference/databricks-bundle-schema``
beside the repository. Its ``pattern`` keywords use Unicode property classes (``\\p{L}``) that Python's ``re``
cannot compile, so the validator's ``pattern`` keyword is replaced by one that uses the ``regex`` package.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml", reason="pyyaml is needed to read the bundle (pip install 'schemax[dev]')")
jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is needed (pip install 'schemax[dev]')")
regex = pytest.importorskip("regex", reason="the regex package is needed for \\p{L} patterns")

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT.parent / "shared" / "reference" / "databricks-bundle-schema" / "jsonschema.json"
BUNDLE = ROOT / "databricks.yml"
RESOURCES = sorted((ROOT / "resources").glob("*.yml"))
INTERPOLATION = re.compile(r"\$\{([^}]*)\}")


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} is not a YAML mapping"
    return data


@cache
def _validator() -> Any:
    if not SCHEMA_PATH.is_file():
        pytest.skip(
            f"bundle JSON schema not found at {SCHEMA_PATH} (expected ../shared beside the repository)"
        )
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))

    def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Iterator[Any]:
        if validator.is_type(instance, "string") and not regex.search(patrn, instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")

    base = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls = jsonschema.validators.extend(base, {"pattern": pattern})
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _leaves(err: Any) -> list[Any]:
    if not err.context:
        return [err]
    return [leaf for sub in err.context for leaf in _leaves(sub)]


def _errors(doc: dict[str, Any]) -> list[str]:
    """Readable schema errors: for oneOf/anyOf failures the reasons inside the branches, without the noise
    of the "or a ${...} interpolation string" alternative every typed field has."""
    out = []
    for err in _validator().iter_errors(doc):
        leaves = _leaves(err)
        useful = [
            leaf
            for leaf in leaves
            if not (
                leaf.validator == "pattern" or (leaf.validator == "type" and leaf.validator_value == "string")
            )
        ]
        for leaf in useful or leaves:
            where = "/".join(str(p) for p in leaf.absolute_path) or "<root>"
            out.append(f"{where}: {leaf.message[:200]}")
    return sorted(set(out))


def _all_files() -> list[Path]:
    return [BUNDLE, *RESOURCES]


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def _jobs() -> dict[str, dict[str, Any]]:
    jobs: dict[str, dict[str, Any]] = {}
    for path in RESOURCES:
        for key, job in (_load(path).get("resources", {}).get("jobs") or {}).items():
            assert key not in jobs, f"job {key} defined twice"
            jobs[key] = job
    return jobs


# ------------------------------------------------------------------------------------------------------


def test_the_validator_understands_unicode_patterns() -> None:
    """The replacement pattern keyword accepts what the CLI accepts and rejects what it rejects."""
    good = {"targets": {"dev": {"default": "${var.is_default}"}}}
    bad = {"targets": {"dev": {"default": "yes please"}}}
    unicode_ok = {"targets": {"dev": {"default": "${var.défaut}"}}}
    assert _errors(good) == [] and _errors(unicode_ok) == []
    assert _errors(bad), "a non-boolean, non-interpolation value must fail"


@pytest.mark.parametrize("path", _all_files(), ids=lambda p: p.name)
def test_file_validates_against_the_bundle_schema(path: Path) -> None:
    assert path.is_file()
    errors = _errors(_load(path))
    assert errors == [], "\n".join(errors)


@pytest.mark.parametrize("path", _all_files(), ids=lambda p: p.name)
def test_only_known_top_level_keys(path: Path) -> None:
    # the schema's root allows unknown keys (additionalProperties: {}); the CLI does not
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) if SCHEMA_PATH.is_file() else None
    if schema is None:
        pytest.skip(f"bundle JSON schema not found at {SCHEMA_PATH}")
    assert set(_load(path)) <= set(schema["properties"]), set(_load(path)) - set(schema["properties"])


def test_bundle_shape() -> None:
    doc = _load(BUNDLE)
    assert doc["bundle"]["name"] == "schemax"
    assert doc["include"] == ["resources/*.yml"]
    wheel = [a for a in doc["artifacts"].values() if a.get("type") == "whl"]
    assert len(wheel) == 1 and wheel[0]["path"] == "." and "build --wheel" in wheel[0]["build"]
    assert {"project", "store", "warehouse_id", "environment"} <= set(doc["variables"])
    assert doc["variables"]["store"]["default"] == "main.schemax"
    targets = doc["targets"]
    assert set(targets) == {"dev", "test", "prod"}
    assert targets["dev"]["mode"] == "development" and targets["dev"]["default"] is True
    assert targets["prod"]["mode"] == "production"
    assert [t for t, v in targets.items() if v.get("default")] == ["dev"]
    assert all(v.get("mode") in ("development", "production") for v in targets.values())
    assert "run_as" in targets["prod"] and targets["prod"].get("permissions")


def test_no_workspace_urls_or_secrets_in_the_bundle() -> None:
    for path in _all_files():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), f"{path.name} holds a URL; hosts come from the CLI profile"
        assert not re.search(r"\bdapi[0-9a-f]{8,}", text), f"{path.name} holds what looks like a token"
        for target in (_load(BUNDLE).get("targets") or {}).values():
            assert "host" not in (target.get("workspace") or {})


def test_every_interpolated_variable_is_declared() -> None:
    declared = set(_load(BUNDLE)["variables"])
    used: dict[str, str] = {}
    for path in _all_files():
        for s in _strings(_load(path)):
            for ref in INTERPOLATION.findall(s):
                head, _, rest = ref.partition(".")
                assert head in {"var", "bundle", "workspace", "resources", "artifacts"}, (
                    f"{path.name}: ${{{ref}}}"
                )
                if head == "var":
                    used[rest.split(".")[0].split("[")[0]] = path.name
    undeclared = {k: v for k, v in used.items() if k not in declared}
    assert not undeclared, f"undeclared variables: {undeclared}"
    assert {"project", "store", "environment"} <= set(used)


def test_variables_without_default_have_a_value_in_every_target_that_does_not_set_them() -> None:
    doc = _load(BUNDLE)
    required = {k for k, v in doc["variables"].items() if "default" not in v and "lookup" not in v}
    for name, target in doc["targets"].items():
        given = set(target.get("variables") or {})
        missing = required - given
        uses = {m for m in missing for s in _strings(target) if f"${{var.{m}}}" in s}
        # a target that uses a required variable without setting it makes the user pass --var (prod)
        assert missing == uses, f"target {name}: {missing - uses} would have no value"


def test_jobs_exist_and_use_declared_entry_points() -> None:
    jobs = _jobs()
    assert {"schemax_deploy", "schemax_drift_scan", "schemax_plan_preview"} <= set(jobs)
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli", reason="reading pyproject.toml on Python 3.10 needs tomli")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package = pyproject["project"]["name"]
    scripts = set(pyproject["project"].get("scripts", {})) | set(
        (pyproject["project"].get("entry-points") or {}).get("console_scripts", {})
    )
    for key, job in jobs.items():
        assert job.get("tasks"), key
        env_keys = {e["environment_key"] for e in job.get("environments", [])}
        for task in job["tasks"]:
            wheel = task.get("python_wheel_task")
            notebook = task.get("notebook_task")
            assert wheel or notebook, f"{key}.{task['task_key']}: a wheel or a notebook task"
            if wheel:
                assert wheel["package_name"] == package
                assert wheel["entry_point"] in scripts, (
                    f"{key}: entry point {wheel['entry_point']} not declared"
                )
                assert (
                    task.get("environment_key") in env_keys
                    or task.get("job_cluster_key")
                    or task.get("libraries")
                ), f"{key}.{task['task_key']}: the wheel is not installed anywhere"
            if notebook:
                nb = (ROOT / "resources" / notebook["notebook_path"]).resolve()
                assert nb.with_suffix(".py").is_file() or nb.is_file(), notebook["notebook_path"]
        for env in job.get("environments", []):
            assert "../dist/*.whl" in env["spec"]["dependencies"]


def test_job_parameters_default_to_the_target_and_are_used() -> None:
    for key, job in _jobs().items():
        params = {p["name"]: p["default"] for p in job.get("parameters", [])}
        assert params.get("environment") in ("${bundle.target}", "${var.environment}"), key
        text = json.dumps(job["tasks"])
        for name in params:
            assert f"{{{{job.parameters.{name}}}}}" in text, f"{key}: parameter {name} is never passed on"
    assert _load(BUNDLE)["variables"]["environment"]["default"] == "${bundle.target}"


def test_wheel_task_parameters_parse_with_the_cli() -> None:
    """Every task's command line is accepted by schemax's own argument parser."""
    from schemax.cli import build_parser

    parser = build_parser()
    for key, job in _jobs().items():
        for task in job["tasks"]:
            wheel = task.get("python_wheel_task")
            if not wheel:
                continue
            argv = [re.sub(r"\{\{job\.parameters\.(\w+)\}\}", r"\1_value", a) for a in wheel["parameters"]]
            args = parser.parse_args(argv)
            assert args.command in ("sync", "plan", "deploy", "drift"), (key, args.command)


def test_drift_scan_is_scheduled_and_paused_in_dev() -> None:
    job = _jobs()["schemax_drift_scan"]
    schedule = job["schedule"]
    fields = _resolve_var(schedule["quartz_cron_expression"]).split()
    assert len(fields) in (6, 7), "Quartz cron has 6 or 7 fields (seconds first)"
    assert _resolve_var(schedule["timezone_id"])
    doc = _load(BUNDLE)
    pause = schedule.get("pause_status", "UNPAUSED")
    assert _resolve_var(pause, target="dev") == "PAUSED"
    assert _resolve_var(pause, target="prod") == "UNPAUSED"
    assert doc["targets"]["dev"].get("presets", {}).get("trigger_pause_status") == "PAUSED"
    assert "drift" in json.dumps(job["tasks"])


def _resolve_var(value: str, target: str | None = None) -> str:
    doc = _load(BUNDLE)
    m = re.fullmatch(r"\$\{var\.(\w+)\}", value)
    if not m:
        return value
    name = m.group(1)
    overrides = (doc["targets"].get(target or "", {}) or {}).get("variables") or {}
    if name in overrides:
        v = overrides[name]
        return v["default"] if isinstance(v, dict) else v
    return doc["variables"][name]["default"]


def test_deploy_job_ships_the_bundles_design_first() -> None:
    """sync (the design/ folder the bundle deployed, then a snapshot of what changed) -> plan -> deploy."""
    job = _jobs()["schemax_deploy"]
    tasks = {t["task_key"]: t for t in job["tasks"]}
    assert list(tasks) == ["sync", "plan", "deploy"]
    assert tasks["plan"]["depends_on"] == [{"task_key": "sync"}]
    assert tasks["deploy"]["depends_on"] == [{"task_key": "plan"}]
    params = {p["name"]: p["default"] for p in job["parameters"]}
    assert params["design"] == "${workspace.file_path}/design" and params["snapshot_version"] == ""
    sync = tasks["sync"]["python_wheel_task"]["parameters"]
    assert sync[sync.index("sync") + 1] == "{{job.parameters.design}}"
    assert "--snapshot={{job.parameters.snapshot_name}}" in sync
    assert "--snapshot-version={{job.parameters.snapshot_version}}" in sync
    assert sorted((ROOT / "design").glob("*.yml")), "the bundle ships a design/ folder"
