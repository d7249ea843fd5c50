import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { hasImage } from '../../../cli/ops/stack/engine';
import {
  LOCAL_NODE_BASE,
  LOCAL_PROXY_IMAGE,
  OFFICIAL_AIRFLOW_IMAGE,
  OFFICIAL_PROXY_IMAGE,
} from '../../../cli/ops/stack/images';
import { ROOT } from '../support/cli';

/**
 * The Docker socket proxy on its own (docker/stack/socket-proxy: haproxy.cfg and
 * create-check.lua), set up as docker-compose.yml sets it up: no network, uid 99 with the
 * socket's group, read-only, no capabilities, its Unix socket in a tmpfs volume. A client
 * container (the Airflow image: docker-py, as the scheduler) then makes DockerOperator's
 * calls, which must work, and a matrix of calls and create bodies the proxy must refuse,
 * including the ways a JSON body can try to hide a field from a filter.
 */

const docker = new Docker();
const SUFFIX = `${process.pid}`;
const VOLUME = `airflow-ml-proxy-test-${SUFFIX}`;
const PROXY = `airflow-ml-proxy-test-${SUFFIX}`;
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-proxy-test-'));
const DATA_ROOT = path.join(WORK, 'data');
const STEP_IMAGE = LOCAL_NODE_BASE;

/** The client: docker-py against the proxy, printing one JSON result line. */
const CLIENT = String.raw`
import http.client, json, os, socket, sys, urllib.parse
import docker
from docker.types import Mount

SOCK = "/run/docker-proxy/docker.sock"
DATA_ROOT, IMAGE, FOREIGN = sys.argv[1], sys.argv[2], sys.argv[3]

class Conn(http.client.HTTPConnection):
    def __init__(self):
        super().__init__("localhost")
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(SOCK)

def call(method, url, body=None):
    c = Conn()
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    c.request(method, url, body=data, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    text = r.read().decode("utf-8", "replace")
    c.close()
    return r.status, text

out = {}
# 1. What DockerOperator does for a generated DAG's task (least-privilege host config).
api = docker.APIClient(base_url="unix://" + SOCK)
out["version"] = api._version
out["image_listed"] = len(api.images(name=IMAGE)) == 1
ct = api.create_container(
    image=IMAGE,
    command=["node", "-e", "console.log('step ran')"],
    environment={"LANG": "C.UTF-8", "GREETING": "gr\u00fc\u00df"},
    user="1000:1000",
    host_config=api.create_host_config(
        auto_remove=False, mounts=[Mount("/data", DATA_ROOT, "bind")], network_mode="none",
        cpu_shares=1024, mem_limit="256m", memswap_limit="256m", cap_drop=["ALL"],
        security_opt=["no-new-privileges"], pids_limit=64, nano_cpus=500000000, init=True,
        read_only=True, tmpfs={"/tmp": "rw,noexec,nosuid,nodev,size=16m"},
        log_config=docker.types.LogConfig(config={}), port_bindings={}, ulimits=[],
    ),
)
cid = ct["Id"]
stream = api.attach(container=cid, stdout=True, stderr=True, stream=True)
api.start(cid)
out["logs"] = b"".join(stream).decode()
out["exit"] = api.wait(cid)["StatusCode"]
api.remove_container(cid, force=True)

# A container to stop (on_kill), then remove.
ct = api.create_container(image=IMAGE, command=["sleep", "30"], user="1000:1000",
                          host_config=api.create_host_config(network_mode="none"))
api.start(ct["Id"])
api.stop(ct["Id"], timeout=1)
api.remove_container(ct["Id"], force=True)
out["stopped_and_removed"] = True

v = "/v1.41"
# 1b. A try removing what an earlier try of its task instance left, by name (the generated
# DockerOperator), and the step reaper listing step containers.
step_name = "airflow-ml-step-" + "0123456789abcdef01234567" + "-t1"
ct = api.create_container(image=IMAGE, command=["sleep", "30"], user="1000:1000", name=step_name,
                          labels={"airflow-ml.step": "true", "airflow-ml.stack": "proxy-test"},
                          host_config=api.create_host_config(network_mode="none"))
api.start(ct["Id"])
step_filter = urllib.parse.quote(json.dumps({"label": ["airflow-ml.step", "airflow-ml.stack=proxy-test"]}, separators=(",", ":")), safe="")
status, text = call("GET", v + "/containers/json?all=1&filters=" + step_filter)
listed = json.loads(text) if status == 200 else []
out["step_list"] = {
    "status": status,
    "has_ours": any("/" + step_name in c["Names"] for c in listed),
    "without_label": [c["Names"] for c in listed if (c.get("Labels") or {}).get("airflow-ml.stack") != "proxy-test"],
}
api.remove_container(step_name, force=True)
out["step_removed_by_name"] = call("GET", v + "/containers/json?all=1&filters=" + step_filter)[1].count(step_name) == 0

# 2. Calls DockerOperator never makes.
out["calls"] = {
    "list containers": call("GET", v + "/containers/json")[0],
    "list containers, unversioned": call("GET", "/containers/json")[0],
    "list containers, encoded path": call("GET", v + "/containers/%6Ason")[0],
    "exec": call("POST", v + "/containers/" + FOREIGN + "/exec", {"Cmd": ["id"]})[0],
    "exec start": call("POST", v + "/exec/" + "a" * 64 + "/start", {})[0],
    "info": call("GET", v + "/info")[0],
    "build": call("POST", v + "/build")[0],
    "image import": call("POST", v + "/images/create?fromSrc=-&repo=x")[0],
    "image pull with import": call("POST", v + "/images/create?fromImage=x&fromSrc=-")[0],
    "create on API 1.23": call("POST", "/v1.23/containers/create", {"Image": IMAGE, "User": "1000"})[0],
    "start with a body": call("POST", v + "/containers/" + "a" * 64 + "/start", {"Privileged": True})[0],
    "inspect another container": call("GET", v + "/containers/" + FOREIGN + "/json")[0],
    "stop another container": call("POST", v + "/containers/" + FOREIGN + "/stop")[0],
    "attach to another container": call("POST", v + "/containers/" + FOREIGN + "/attach?logs=1&stdout=1&stderr=1&stream=0")[0],
    "remove another container": call("DELETE", v + "/containers/" + FOREIGN + "?v=False&link=False&force=True")[0],
    "kill": call("POST", v + "/containers/" + FOREIGN + "/kill")[0],
    "list containers, another label": call("GET", v + "/containers/json?all=1&filters=" + urllib.parse.quote('{"label":["com.docker.compose.project"]}', safe=""))[0],
    "list containers, step label and more": call("GET", v + "/containers/json?all=1&filters=" + step_filter + "&limit=5")[0],
    "remove another container by name": call("DELETE", v + "/containers/airflow-ml-postgres-1?v=False&link=False&force=True")[0],
    "remove a step-like name of 23 hex": call("DELETE", v + "/containers/airflow-ml-step-" + "a" * 23 + "-t1?v=False&link=False&force=True")[0],
    "remove a step-like name without a try": call("DELETE", v + "/containers/airflow-ml-step-" + "a" * 24 + "?v=False&link=False&force=True")[0],
    "list step containers of every stack": call("GET", v + "/containers/json?all=1&filters=" + urllib.parse.quote('{"label":["airflow-ml.step"]}', safe=""))[0],
    "stop a step container by name": call("POST", v + "/containers/" + step_name + "/stop")[0],
}

# 3. Create bodies: one bad field each on top of a body that passes.
def body(host=None, **top):
    hc = {"NetworkMode": "none", "Mounts": [{"Type": "bind", "Source": DATA_ROOT, "Target": "/data"}]}
    hc.update(host or {})
    b = {"Image": IMAGE, "Cmd": ["true"], "User": "1000:1000", "HostConfig": hc}
    b.update(top)
    return b

def create(b):
    status, text = call("POST", v + "/containers/create", b)
    if status == 201:
        call("DELETE", v + "/containers/" + json.loads(text)["Id"] + "?v=False&link=False&force=True")
    return status

raw = '{"Image":"%s","User":"1000","HostConfig":{%s}}'

def raw_body(host):
    return (raw % (IMAGE, host)).encode()
out["creates"] = {
    "passes": create(body()),
    "privileged": create(body({"Privileged": True})),
    "privileged, lower-case key": create(body({"privileged": True})),
    "privileged, escaped key": create(raw_body('"Priv\\u0069leged":true')),
    "privileged, duplicate key": create(raw_body('"Privileged":false,"PRIVILEGED":true')),
    "binds, long-s key": create(raw_body('"Bind\u017f":["/:/host"]')),
    "binds, escaped long-s key": create(raw_body('"Bind\\u017f":["/:/host"]')),
    "docker socket bind": create(body({"Binds": ["/var/run/docker.sock:/var/run/docker.sock"]})),
    "docker socket mount": create(body({"Mounts": [{"Type": "bind", "Source": "/var/run/docker.sock", "Target": "/s"}]})),
    "host root mount": create(body({"Mounts": [{"Type": "bind", "Source": "/", "Target": "/h"}]})),
    "mount below the data root": create(body({"Mounts": [{"Type": "bind", "Source": DATA_ROOT + "/x", "Target": "/h"}]})),
    "mount with ..": create(body({"Mounts": [{"Type": "bind", "Source": DATA_ROOT + "/../..", "Target": "/h"}]})),
    "named volume": create(body({"Mounts": [{"Type": "volume", "Source": "airflow-ml_postgres-db-volume", "Target": "/h"}]})),
    "volume driver options": create(body({"Mounts": [{"Type": "volume", "Target": "/h", "VolumeOptions": {"DriverConfig": {"Name": "local", "Options": {"o": "bind", "device": "/"}}}}]})),
    "volumes-from": create(body({"VolumesFrom": [FOREIGN]})),
    "cap add": create(body({"CapAdd": ["SYS_ADMIN"]})),
    "security opt": create(body({"SecurityOpt": ["no-new-privileges", "seccomp=unconfined"]})),
    "devices": create(body({"Devices": [{"PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda", "CgroupPermissions": "rwm"}]})),
    "pid host": create(body({"PidMode": "host"})),
    "userns host": create(body({"UsernsMode": "host"})),
    "ipc host": create(body({"IpcMode": "host"})),
    "network host": create(body({"NetworkMode": "host"})),
    "network of another container": create(body({"NetworkMode": "container:" + FOREIGN})),
    "a named network": create(body({"NetworkMode": "airflow-ml_default"})),
    "extra endpoint": create(body(NetworkingConfig={"EndpointsConfig": {"airflow-ml_default": {}}})),
    "published port": create(body({"PortBindings": {"80/tcp": [{"HostPort": "8081"}]}})),
    "unmasked /proc": create(body({"MaskedPaths": []})),
    "sysctls": create(body({"Sysctls": {"net.ipv4.ip_forward": "1"}})),
    "restart always": create(body({"RestartPolicy": {"Name": "always"}})),
    "remote log driver": create(body({"LogConfig": {"Type": "syslog", "Config": {}}})),
    "compose label": create(body(Labels={"com.docker.compose.project": "airflow-ml"})),
    "unknown field": create(body(Whatever={"User": "1000"})),
    "user root": create(body(User="root")),
    "user 0:0": create(body(User="0:0")),
    "user +0": create(body(User="+0")),
    "user unset": create(body(User=None)),
    "user only in a label": create((raw.replace('"User":"1000",', '"Labels":{"User":"1000"},') % (IMAGE, '"NetworkMode":"none"')).encode()),
    "user root after a good one": create((raw % (IMAGE, '"NetworkMode":"none"')).replace('"User":"1000"', '"User":"1000","user":"0"').encode()),
    "not JSON": create(b'{"Image": "x", "User": "1000",}'),
    "two documents": create((raw % (IMAGE, '"NetworkMode":"none"') + "{}").encode()),
}
print("RESULT " + json.dumps(out))
`;

async function pickProxyImage(): Promise<string> {
  const wanted = process.env.DOCKER_PROXY_IMAGE;
  if (wanted) return wanted;
  if (await hasImage(docker, OFFICIAL_PROXY_IMAGE)) return OFFICIAL_PROXY_IMAGE;
  return LOCAL_PROXY_IMAGE;
}

/** The text of a non-TTY container log (frames of an 8-byte header, then the payload). */
function demux(buf: Buffer): string {
  const parts: Buffer[] = [];
  for (let i = 0; i + 8 <= buf.length;) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

async function removeQuietly(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch {
    // already gone
  }
}

describe('the Docker socket proxy (haproxy.cfg + create-check.lua)', () => {
  let result: Record<string, unknown>;
  let proxyId: string;

  beforeAll(async () => {
    const proxyImage = await pickProxyImage();
    const missing = [];
    for (const image of [proxyImage, OFFICIAL_AIRFLOW_IMAGE, STEP_IMAGE]) {
      if (!(await hasImage(docker, image))) missing.push(image);
    }
    if (missing.length > 0) {
      throw new Error(
        `images missing: ${missing.join(', ')}: run bash scripts/setup.sh (it builds them)`,
      );
    }
    fs.mkdirSync(DATA_ROOT, { recursive: true });
    fs.writeFileSync(path.join(WORK, 'client.py'), CLIENT);
    const dockerGid = fs.statSync('/var/run/docker.sock').gid;
    await docker.createVolume({
      Name: VOLUME,
      DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'uid=99,gid=0,mode=0750' },
    });
    const dir = path.join(ROOT, 'docker', 'stack', 'socket-proxy');
    const proxy = await docker.createContainer({
      name: PROXY,
      Image: proxyImage,
      User: '99:99',
      Env: [`AIRFLOW_ML_DATA_ROOT=${DATA_ROOT}`],
      HostConfig: {
        NetworkMode: 'none',
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges:true'],
        GroupAdd: [String(dockerGid)],
        Binds: [
          `${dir}/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro`,
          `${dir}/create-check.lua:/usr/local/etc/haproxy/create-check.lua:ro`,
          '/var/run/docker.sock:/var/run/docker.sock:ro',
          `${VOLUME}:/run/docker-proxy`,
        ],
      },
    });
    proxyId = proxy.id;
    await proxy.start();
    // Ready when its socket exists (it binds at start-up).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const probe = await docker.getContainer(proxyId).inspect();
      if (!probe.State.Running) throw new Error('the proxy exited at start-up');
      const logs = (await proxy.logs({ stdout: true, stderr: true })).toString();
      if (/Loading success/.test(logs)) break;
      if (Date.now() > deadline) throw new Error(`the proxy did not start:\n${logs}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const client = await docker.createContainer({
      Image: OFFICIAL_AIRFLOW_IMAGE,
      User: '50000:0',
      Entrypoint: ['python3'],
      Cmd: ['/work/client.py', DATA_ROOT, STEP_IMAGE, proxyId],
      HostConfig: {
        NetworkMode: 'none',
        Binds: [`${VOLUME}:/run/docker-proxy:ro`, `${WORK}/client.py:/work/client.py:ro`],
      },
    });
    try {
      await client.start();
      await client.wait();
      const logs = demux(await client.logs({ stdout: true, stderr: true }));
      const line = logs.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) throw new Error(`the client failed:\n${logs}`);
      result = JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>;
    } finally {
      await removeQuietly(() => client.remove({ force: true }));
    }
  }, 180_000);

  afterAll(async () => {
    await removeQuietly(() => docker.getContainer(PROXY).remove({ force: true }));
    await removeQuietly(() => docker.getVolume(VOLUME).remove());
    fs.rmSync(WORK, { recursive: true, force: true });
  }, 60_000);

  it("lets DockerOperator's calls through: version, ping, image list, create, attach, start, wait, stop, remove", () => {
    expect(result).toMatchObject({
      version: '1.41',
      image_listed: true,
      logs: 'step ran\n',
      exit: 0,
      stopped_and_removed: true,
    });
  });

  it("lets a try remove an earlier try's step container by name, and the reaper list step containers only", () => {
    expect(result.step_list).toEqual({ status: 200, has_ours: true, without_label: [] });
    expect(result.step_removed_by_name).toBe(true);
  });

  it('refuses every other call, and calls on containers it did not create', () => {
    const calls = result.calls as Record<string, number>;
    expect(Object.entries(calls).filter(([, status]) => status !== 403)).toEqual([]);
    expect(Object.keys(calls)).toHaveLength(23);
  });

  it('refuses create bodies outside the allow-list, however the JSON is spelled', () => {
    const creates = { ...(result.creates as Record<string, number>) };
    expect(creates.passes).toBe(201);
    delete creates.passes;
    expect(Object.entries(creates).filter(([, status]) => status !== 403)).toEqual([]);
    expect(Object.keys(creates).length).toBeGreaterThanOrEqual(38);
  });
});
