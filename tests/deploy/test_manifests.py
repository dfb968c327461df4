"""k8s/ as a platform engineer receives it: every directory renders with ``kubectl kustomize`` as
it is, every object is valid for a named Kubernetes version, and the rendered objects hold what a
review would ask of them (non-root, read-only, probes, resources, references that resolve,
NetworkPolicies that select the pods and let them reach only PostgreSQL, the HSM and DNS, ...).

Built-in kinds are validated by kubernetes-validate's strict schemas (unknown fields refused).
The ServiceMonitor is a custom resource those schemas do not know, and no package this project
can install ships its CRD schema without side effects (the one Python model of it,
cloudcoil-models-prometheus-operator, installs a pytest plugin that breaks the suite): its shape
is checked here against the fields of prometheus-operator's monitoring.coreos.com/v1 API that the
component may use, unknown fields refused, durations as the CRD's pattern has them.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from api.settings import declared_settings

KUBERNETES_VERSION = "1.37.0"

REPOSITORY = Path(__file__).resolve().parents[2]
K8S = REPOSITORY / "k8s"

Manifest = dict[str, Any]

# Each rendering: the directory under k8s/ and the components added to it. Those with components
# are rendered from a copy of k8s/ holding one more overlay that names them.
RENDERINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "base": ("base", ()),
    "dev": ("overlays/dev", ()),
    "production": ("overlays/production", ()),
    "dev+servicemonitor": ("overlays/dev", ("servicemonitor",)),
    "production+components": ("overlays/production", ("servicemonitor", "ingress")),
}
PRODUCTION = ("production", "production+components")
DEV = ("dev", "dev+servicemonitor")

WORKLOADS = ("Deployment", "StatefulSet")
# Egress keygraph may have: PostgreSQL, CloudHSM's client ports, DNS.
ALLOWED_EGRESS = {("TCP", 5432, 5432), ("TCP", 2223, 2225), ("UDP", 53, 53), ("TCP", 53, 53)}
# The ServiceMonitor fields (prometheus-operator, monitoring.coreos.com/v1) the component may use:
# a dict lists the keys allowed, a list the shape of every item, a type the value's type.
_DURATION = re.compile(r"^(0|(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$")
_LABELS = {"matchLabels": dict}
_SERVICE_MONITOR: dict[str, Any] = {
    "apiVersion": str,
    "kind": str,
    "metadata": {"name": str, "labels": dict, "annotations": dict, "namespace": str},
    "spec": {
        "selector": _LABELS,
        "namespaceSelector": {"matchNames": [str], "any": bool},
        "jobLabel": str,
        "endpoints": [
            {
                "port": str,
                "path": str,
                "scheme": str,
                "interval": _DURATION,
                "scrapeTimeout": _DURATION,
                "honorLabels": bool,
                "authorization": {
                    "type": str,
                    "credentials": {"name": str, "key": str, "optional": bool},
                },
            }
        ],
    },
}
# Environment variables and ConfigMap keys whose value would be a secret.
SECRET_NAME = re.compile(r"PIN|PASSWORD|SECRET|DATABASE_URL|METRICS_TOKEN|ROOT_TOKEN", re.I)


def _kubectl() -> str:
    """The kubectl bootstrap installed into .venv (PATH's was missing or too old), else PATH's."""
    beside_python = Path(sys.executable).parent / "kubectl"
    if beside_python.is_file():
        return str(beside_python)
    found = shutil.which("kubectl")
    if found is None:
        pytest.fail("kubectl is not installed: run scripts/bootstrap.sh (make test does)")
    return found


def _render(directory: Path) -> list[Manifest]:
    done = subprocess.run(
        [_kubectl(), "kustomize", str(directory)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"kubectl kustomize {directory} failed:\n{done.stderr}")
    return [document for document in yaml.safe_load_all(done.stdout) if document]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Manifest]]:
    copy = tmp_path_factory.mktemp("k8s") / "k8s"
    shutil.copytree(K8S, copy)
    renders = {}
    for name, (directory, components) in RENDERINGS.items():
        if not components:
            renders[name] = _render(K8S / directory)
            continue
        overlay = copy / "overlays" / f"checked-{name.replace('+', '-')}"
        overlay.mkdir()
        kustomization = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": [f"../../{directory}"],
            "components": [f"../../components/{component}" for component in components],
        }
        (overlay / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
        renders[name] = _render(overlay)
    return renders


@pytest.fixture(params=list(RENDERINGS))
def rendering(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def objects(rendering: str, rendered: dict[str, list[Manifest]]) -> list[Manifest]:
    return rendered[rendering]


def _one(objects: list[Manifest], kind: str, name: str) -> Manifest:
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def _named(objects: list[Manifest], kind: str, name: str) -> Manifest | None:
    """The object of ``kind`` called ``name``, or the generated one whose name is ``name``
    followed by kustomize's hash suffix."""
    for o in objects:
        rendered_name = o["metadata"]["name"]
        if o["kind"] == kind and re.fullmatch(re.escape(name) + r"(-[a-z0-9]{10})?", rendered_name):
            return o
    return None


def _pod_specs(objects: list[Manifest]) -> Iterator[tuple[str, Manifest]]:
    for o in objects:
        if o["kind"] in WORKLOADS:
            yield o["metadata"]["name"], o["spec"]["template"]["spec"]


def _containers(pod: Manifest) -> list[Manifest]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def _keygraph(objects: list[Manifest]) -> Manifest:
    pod: Manifest = _one(objects, "Deployment", "keygraph")["spec"]["template"]["spec"]
    return pod


def _settings(objects: list[Manifest]) -> dict[str, str]:
    """The KEYGRAPH_* settings keygraph's container reads from its ConfigMap."""
    container = _keygraph(objects)["containers"][0]
    names = [source["configMapRef"]["name"] for source in container.get("envFrom", [])]
    data: dict[str, str] = {}
    for name in names:
        data.update(_one(objects, "ConfigMap", name)["data"])
    return data


def _secret_data(secret: Manifest) -> dict[str, str]:
    return {k: base64.b64decode(v).decode() for k, v in secret.get("data", {}).items()}


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def _check_shape(value: object, shape: object, where: str) -> None:
    """Fail unless ``value`` has ``shape`` (see _SERVICE_MONITOR), naming the first mismatch."""
    if isinstance(shape, dict):
        assert isinstance(value, dict), f"{where}: {value!r} is not an object"
        unknown = value.keys() - shape.keys()
        assert not unknown, f"{where}: unknown fields {sorted(unknown)}"
        for key, item in value.items():
            _check_shape(item, shape[key], f"{where}.{key}")
    elif isinstance(shape, list):
        assert isinstance(value, list) and value, f"{where}: {value!r} is not a non-empty list"
        for index, item in enumerate(value):
            _check_shape(item, shape[0], f"{where}[{index}]")
    elif isinstance(shape, re.Pattern):
        assert isinstance(value, str) and shape.match(value), f"{where}: {value!r} is malformed"
    else:
        assert isinstance(shape, type) and isinstance(value, shape), f"{where}: {value!r}"


def test_every_object_is_valid_for_the_named_kubernetes_version(objects: list[Manifest]) -> None:
    for o in objects:
        where = f"{o['kind']} {o['metadata']['name']}"
        if o["kind"] == "ServiceMonitor":
            assert o["apiVersion"] == "monitoring.coreos.com/v1", where
            _check_shape(o, _SERVICE_MONITOR, where)
            continue
        try:
            kubernetes_validate.validate(o, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(part) for part in error.path)
            pytest.fail(f"{where}: {path}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            pytest.fail(f"{where}: {error.message}")


def test_the_base_holds_what_every_deployment_needs(rendered: dict[str, list[Manifest]]) -> None:
    kinds = {o["kind"] for o in rendered["base"]}
    assert kinds == {
        "ServiceAccount",
        "ConfigMap",
        "Service",
        "Deployment",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "NetworkPolicy",
    }
    settings = _settings(rendered["base"])
    assert settings["KEYGRAPH_MODE"] == "production"
    assert {"KEYGRAPH_ACCOUNT_ID", "KEYGRAPH_REGION", "KEYGRAPH_WORKERS"} <= settings.keys()


def test_every_container_runs_unprivileged(objects: list[Manifest]) -> None:
    for workload, pod in _pod_specs(objects):
        assert pod["automountServiceAccountToken"] is False, workload
        assert pod["securityContext"]["runAsNonRoot"] is True, workload
        assert pod["securityContext"]["runAsUser"] != 0, workload
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, workload
        for container in _containers(pod):
            where = f"{workload}/{container['name']}"
            context = container["securityContext"]
            assert context.get("runAsUser", pod["securityContext"]["runAsUser"]) != 0, where
            assert context["runAsNonRoot"] is True, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context.get("privileged", False) is False, where
            assert context["capabilities"] == {"drop": ["ALL"]}, where
    if any(o["kind"] == "Deployment" for o in objects):
        assert _keygraph(objects)["securityContext"]["runAsUser"] == 10001


def test_every_container_has_probes_and_resources(objects: list[Manifest]) -> None:
    for workload, pod in _pod_specs(objects):
        for container in _containers(pod):
            where = f"{workload}/{container['name']}"
            resources = container["resources"]
            assert {"cpu", "memory"} <= resources["requests"].keys(), where
            assert "memory" in resources["limits"], where
        for container in pod["containers"]:
            where = f"{workload}/{container['name']}"
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                assert probe in container, f"{where} has no {probe}"


def test_keygraphs_probes_allow_start_up_to_wait_for_the_database(
    objects: list[Manifest],
) -> None:
    container = _keygraph(objects)["containers"][0]
    wait = float(_settings(objects)["KEYGRAPH_DATABASE_WAIT_SECONDS"])
    startup = container["startupProbe"]
    assert startup["httpGet"]["path"] == "/readyz"
    assert startup["periodSeconds"] * startup["failureThreshold"] > wait
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"


def _operator_created() -> dict[tuple[str, str], set[str]]:
    """The Secrets and ConfigMaps k8s/README.md tells the operator to create, with their keys,
    read from its ``kubectl create`` commands."""
    text = (K8S / "README.md").read_text(encoding="utf-8").replace("\\\n", " ")
    created: dict[tuple[str, str], set[str]] = {}
    command = re.compile(r"kubectl create (secret generic|secret tls|configmap) ([a-z0-9-]+)(.*)")
    for what, name, arguments in command.findall(text):
        kind = "ConfigMap" if what == "configmap" else "Secret"
        keys = set(re.findall(r"--from-(?:literal|file)=([A-Za-z0-9._-]+)=", arguments))
        if what == "secret tls":
            keys = {"tls.crt", "tls.key"}
        created.setdefault((kind, name), set()).update(keys)
    return created


def _references(objects: list[Manifest]) -> Iterator[tuple[str, str, str | None, bool]]:
    """(kind, name, key or None, optional) for every Secret and ConfigMap the objects use."""
    for _, pod in _pod_specs(objects):
        for container in _containers(pod):
            for source in container.get("envFrom", []):
                for field, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                    if field in source:
                        ref = source[field]
                        yield kind, ref["name"], None, ref.get("optional", False)
            for variable in container.get("env", []):
                value_from = variable.get("valueFrom", {})
                for field, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                    if field in value_from:
                        ref = value_from[field]
                        yield kind, ref["name"], ref["key"], ref.get("optional", False)
        for volume in pod.get("volumes", []):
            for field, kind, name_field in (
                ("secret", "Secret", "secretName"),
                ("configMap", "ConfigMap", "name"),
            ):
                if field in volume:
                    source = volume[field]
                    keys = [item["key"] for item in source.get("items", [])] or [None]
                    for key in keys:
                        yield kind, source[name_field], key, source.get("optional", False)
    for o in objects:
        if o["kind"] == "ServiceMonitor":
            for endpoint in o["spec"]["endpoints"]:
                credentials = endpoint["authorization"]["credentials"]
                yield "Secret", credentials["name"], credentials["key"], False
        if o["kind"] == "Ingress":
            for tls in o["spec"]["tls"]:
                yield "Secret", tls["secretName"], "tls.crt", False


def test_every_secret_and_configmap_referenced_is_rendered_or_documented(
    objects: list[Manifest],
) -> None:
    documented = _operator_created()
    for kind, name, key, optional in _references(objects):
        where = f"{kind} {name}" + (f" key {key}" if key else "")
        found = _named(objects, kind, name)
        if found is not None:
            keys = set(found.get("data", {})) | set(found.get("stringData", {}))
            assert key is None or optional or key in keys, f"{where}: no such key"
            continue
        assert (kind, name) in documented, f"{where}: neither rendered nor in k8s/README.md"
        assert key is None or key in documented[(kind, name)], f"{where}: README omits the key"


def test_every_volume_is_defined_and_every_claim_exists(objects: list[Manifest]) -> None:
    for workload, pod in _pod_specs(objects):
        volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
        for o in objects:
            if o["kind"] == "StatefulSet" and o["metadata"]["name"] == workload:
                for template in o["spec"].get("volumeClaimTemplates", []):
                    volumes[template["metadata"]["name"]] = template
        for container in _containers(pod):
            for mount in container.get("volumeMounts", []):
                assert mount["name"] in volumes, f"{workload}/{container['name']}: {mount}"
        for volume in volumes.values():
            claim = volume.get("persistentVolumeClaim")
            if claim is not None:
                assert _named(objects, "PersistentVolumeClaim", claim["claimName"]) is not None


def test_network_policies_select_the_pods_and_allow_only_postgres_hsm_and_dns(
    objects: list[Manifest],
) -> None:
    keygraph_labels = _one(objects, "Deployment", "keygraph")["spec"]["template"]["metadata"][
        "labels"
    ]
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    selecting = [
        p for p in policies if _matches(p["spec"]["podSelector"]["matchLabels"], keygraph_labels)
    ]
    assert [p["metadata"]["name"] for p in selecting] == ["keygraph"]
    policy = selecting[0]["spec"]
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    for rule in policy["ingress"]:
        assert rule["from"], "an ingress rule without `from` admits every pod"
        assert all("namespaceSelector" in peer for peer in rule["from"])
        assert [port["port"] for port in rule["ports"]] == ["http"]
    allowed = set()
    for rule in policy["egress"]:
        assert rule.get("ports"), "an egress rule without ports allows every port"
        for port in rule["ports"]:
            allowed.add((port["protocol"], port["port"], port.get("endPort", port["port"])))
    assert allowed <= ALLOWED_EGRESS
    assert {("UDP", 53, 53), ("TCP", 53, 53), ("TCP", 5432, 5432)} <= allowed
    hsm = ("TCP", 2223, 2225)
    postgres = [
        o for o in objects if o["kind"] == "StatefulSet" and o["metadata"]["name"] == "postgres"
    ]
    if postgres:
        # SoftHSM is a library in keygraph's process; PostgreSQL is the pod beside it.
        assert hsm not in allowed
        postgres_labels = postgres[0]["spec"]["template"]["metadata"]["labels"]
        database_rule = next(r for r in policy["egress"] if r["ports"][0]["port"] == 5432)
        peers = database_rule["to"]
        assert all(_matches(p["podSelector"]["matchLabels"], postgres_labels) for p in peers)
        guard = _one(objects, "NetworkPolicy", "postgres")["spec"]
        assert _matches(guard["podSelector"]["matchLabels"], postgres_labels)
        assert guard["egress"] == []
        for rule in guard["ingress"]:
            assert all(
                _matches(p["podSelector"]["matchLabels"], keygraph_labels) for p in rule["from"]
            )
    else:
        assert hsm in allowed


def test_the_hpa_scales_the_deployment_on_cpu(rendering: str, objects: list[Manifest]) -> None:
    name = rendering
    autoscalers = [o for o in objects if o["kind"] == "HorizontalPodAutoscaler"]
    deployment = _one(objects, "Deployment", "keygraph")
    if name in DEV:
        # One replica owns the SoftHSM token's ReadWriteOnce volume.
        assert autoscalers == []
        assert deployment["spec"]["replicas"] == 1
        assert deployment["spec"]["strategy"] == {"type": "Recreate"}
        return
    (autoscaler,) = autoscalers
    spec = autoscaler["spec"]
    assert spec["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "keygraph",
    }
    assert [m["resource"]["name"] for m in spec["metrics"]] == ["cpu"]
    assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
    if name in PRODUCTION:
        assert (spec["minReplicas"], spec["maxReplicas"]) == (3, 12)


def test_images_are_tagged_and_none_is_latest(rendering: str, objects: list[Manifest]) -> None:
    for workload, pod in _pod_specs(objects):
        for container in _containers(pod):
            image = container["image"]
            name, _, tag = image.rpartition(":") if "@" not in image else (image, "", "digest")
            assert name and tag and tag != "latest", f"{workload}/{container['name']}: {image}"
    keygraph_image = _keygraph(objects)["containers"][0]["image"]
    if rendering in DEV:
        assert keygraph_image.endswith("-softhsm"), "the dev overlay needs the softhsm target"


def test_every_service_targets_a_named_container_port(objects: list[Manifest]) -> None:
    for service in (o for o in objects if o["kind"] == "Service"):
        selector = service["spec"]["selector"]
        pods = [
            o["spec"]["template"]
            for o in objects
            if o["kind"] in WORKLOADS
            and _matches(selector, o["spec"]["template"]["metadata"]["labels"])
        ]
        assert len(pods) == 1, (
            f"Service {service['metadata']['name']} selects {len(pods)} workloads"
        )
        port_names = {p["name"] for c in pods[0]["spec"]["containers"] for p in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in port_names, f"{service['metadata']['name']}: {port}"
    keygraph_service = _one(objects, "Service", "keygraph")
    assert [(p["name"], p["port"]) for p in keygraph_service["spec"]["ports"]] == [("http", 80)]


def test_no_secret_value_is_in_plain_text(rendering: str, objects: list[Manifest]) -> None:
    for workload, pod in _pod_specs(objects):
        for container in _containers(pod):
            for variable in container.get("env", []):
                if "value" in variable and not variable["name"].endswith("_FILE"):
                    assert not SECRET_NAME.search(variable["name"]), f"{workload}: {variable}"
    for config_map in (o for o in objects if o["kind"] == "ConfigMap"):
        for key in config_map.get("data", {}):
            assert not SECRET_NAME.search(key), f"ConfigMap {config_map['metadata']['name']}: {key}"
    secrets = [o for o in objects if o["kind"] == "Secret"]
    if rendering not in DEV:
        assert secrets == [], "only the dev overlay ships Secrets (its marked examples)"
        return
    for secret in secrets:
        for key, value in _secret_data(secret).items():
            assert re.search(r"dev-only|dev-example", value, re.I), (
                f"{secret['metadata']['name']}.{key}"
            )


def test_keygraph_is_given_only_settings_it_knows_and_secrets_only_from_secrets(
    objects: list[Manifest],
) -> None:
    """envFrom passes a ConfigMap's keys through unread: a misspelt setting would be ignored."""
    known = {setting.name: setting for setting in declared_settings()}
    container = _keygraph(objects)["containers"][0]
    given = {name for name in _settings(objects) if name.startswith("KEYGRAPH_")}
    assert given <= known.keys(), f"unknown settings: {sorted(given - known.keys())}"
    assert not any(known[name].secret for name in given), "a secret setting in a ConfigMap"
    for variable in container["env"]:
        setting = known[variable["name"]]
        if setting.secret:
            assert "secretKeyRef" in variable.get("valueFrom", {}), variable["name"]


def test_the_dev_example_root_token_matches_its_verifier(
    rendered: dict[str, list[Manifest]],
) -> None:
    """The token k8s/README.md tells a dev user to send is the one the dev server installs."""
    token = (K8S / "overlays/dev/root-token.dev-example").read_text(encoding="ascii").strip()
    verifier = _secret_data(_one(rendered["dev"], "Secret", "keygraph-root"))["verifier"]
    prefix, token_id, secret = token.split(".")
    assert prefix == "kg1"
    digest = hashlib.sha256(secret.encode("ascii")).hexdigest()
    assert verifier == f"kgv1.{token_id}.{digest}"


def test_the_dev_database_url_names_the_dev_postgres(rendered: dict[str, list[Manifest]]) -> None:
    objects = rendered["dev"]
    url = _secret_data(_one(objects, "Secret", "keygraph"))["database-url"]
    password = _secret_data(_one(objects, "Secret", "keygraph-postgres"))["password"]
    postgres = _one(objects, "StatefulSet", "postgres")["spec"]["template"]["spec"]["containers"][0]
    env = {v["name"]: v.get("value") for v in postgres["env"]}
    service = _one(objects, "Service", "postgres")
    port = service["spec"]["ports"][0]["port"]
    expected = (
        f"postgresql://{env['POSTGRES_USER']}:{password}@postgres:{port}/{env['POSTGRES_DB']}"
    )
    assert url == expected


def test_the_dev_init_container_creates_the_token_once(
    rendered: dict[str, list[Manifest]], tmp_path: Path
) -> None:
    """The init container's script, run against a real SoftHSM: it creates a token that opens
    with the Secret's PIN, and a second run leaves it (and the domain key in it) alone."""
    objects = rendered["dev"]
    settings = _settings(objects)
    softhsm = _named(objects, "ConfigMap", "keygraph-softhsm")
    assert softhsm is not None
    pod = _keygraph(objects)
    (init,) = pod["initContainers"]
    mounts = {m["name"]: m["mountPath"] for m in init["volumeMounts"]}
    assert init["command"] == ["/bin/sh", f"{mounts['softhsm-config']}/init-token.sh"]
    assert settings["SOFTHSM2_CONF"] == f"{mounts['softhsm-config']}/softhsm2.conf"
    tokendir = re.search(r"directories\.tokendir = (\S+)", softhsm["data"]["softhsm2.conf"])
    assert tokendir is not None and tokendir[1].startswith(mounts["softhsm-tokens"] + "/")
    keygraph_mounts = {m["name"]: m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    assert keygraph_mounts["softhsm-tokens"] == mounts["softhsm-tokens"]

    secret = _secret_data(_one(objects, "Secret", "keygraph"))
    (tmp_path / "hsm-pin").write_text(secret["hsm-pin"])
    (tmp_path / "hsm-so-pin").write_text(secret["hsm-so-pin"])
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(softhsm["data"]["softhsm2.conf"].replace(tokendir[1], str(tmp_path / "tokens")))
    script = tmp_path / "init-token.sh"
    script.write_text(softhsm["data"]["init-token.sh"])
    environment = {
        "PATH": "/usr/bin:/bin",
        "SOFTHSM2_CONF": str(conf),
        "KEYGRAPH_TOKEN_LABEL": settings["KEYGRAPH_TOKEN_LABEL"],
        "KEYGRAPH_PIN_FILE": str(tmp_path / "hsm-pin"),
        "SOFTHSM_SO_PIN_FILE": str(tmp_path / "hsm-so-pin"),
    }
    runs = [
        subprocess.run(
            ["/bin/sh", str(script)], env=environment, capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert runs == [
        f"init-token: initialised SoftHSM token {settings['KEYGRAPH_TOKEN_LABEL']}\n",
        f"init-token: SoftHSM token {settings['KEYGRAPH_TOKEN_LABEL']} exists\n",
    ]
    # A process of its own: SoftHSM reads SOFTHSM2_CONF once per process.
    opened = subprocess.run(
        [
            sys.executable,
            "-c",
            "import pkcs11, sys; "
            "token = pkcs11.lib(sys.argv[1]).get_token(token_label=sys.argv[2]); "
            "token.open(user_pin=sys.argv[3]).close(); print('opened')",
            settings["KEYGRAPH_PKCS11_MODULE"],
            settings["KEYGRAPH_TOKEN_LABEL"],
            secret["hsm-pin"],
        ],
        env={**environment, "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert opened.stdout == "opened\n", opened.stderr


def test_production_uses_cloudhsm_and_spreads_over_zones(
    rendered: dict[str, list[Manifest]],
) -> None:
    for name in PRODUCTION:
        objects = rendered[name]
        settings = _settings(objects)
        assert settings["KEYGRAPH_MODE"] == "production"
        assert settings["KEYGRAPH_PKCS11_MODULE"] == "/opt/cloudhsm/lib/libcloudhsm_pkcs11.so"
        assert settings["KEYGRAPH_TOKEN_LABEL"] == "cavium"
        pod = _keygraph(objects)
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {m["name"]: m for m in pod["containers"][0]["volumeMounts"]}
        assert volumes["cloudhsm-config"]["configMap"]["name"] == "keygraph-cloudhsm"
        assert mounts["cloudhsm-config"]["mountPath"] == "/opt/cloudhsm/etc"
        spread = {
            c["topologyKey"]: c["whenUnsatisfiable"] for c in pod["topologySpreadConstraints"]
        }
        assert spread == {
            "topology.kubernetes.io/zone": "DoNotSchedule",
            "kubernetes.io/hostname": "ScheduleAnyway",
        }


def test_the_servicemonitor_scrapes_keygraph_with_its_metrics_token(
    rendered: dict[str, list[Manifest]],
) -> None:
    for name in ("dev+servicemonitor", "production+components"):
        objects = rendered[name]
        monitor = _one(objects, "ServiceMonitor", "keygraph")["spec"]
        service = _one(objects, "Service", "keygraph")
        assert _matches(monitor["selector"]["matchLabels"], service["metadata"]["labels"])
        (endpoint,) = monitor["endpoints"]
        assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
        assert endpoint["path"] == "/metrics"
        env = {v["name"]: v for v in _keygraph(objects)["containers"][0]["env"]}
        reads = env["KEYGRAPH_METRICS_TOKEN"]["valueFrom"]["secretKeyRef"]
        sends = endpoint["authorization"]["credentials"]
        assert (sends["name"], sends["key"]) == (reads["name"], reads["key"])


def test_the_ingress_terminates_tls_for_every_host(rendered: dict[str, list[Manifest]]) -> None:
    objects = rendered["production+components"]
    ingress = _one(objects, "Ingress", "keygraph")["spec"]
    tls_hosts = {host for tls in ingress["tls"] for host in tls["hosts"]}
    for rule in ingress["rules"]:
        assert rule["host"] in tls_hosts
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            service = _one(objects, "Service", backend["name"])
            assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
