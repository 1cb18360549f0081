# SPDX-License-Identifier: GPL-2.0-or-later
"""Topologies and scenarios of the zonelens VM matrix.

A topology is a dict:
  name     unique name (a random one is rand-SEED-INDEX and can be regenerated from its name)
  nodes    list, in QEMU node order, of {"mem": MiB, "cpus": N}; mem 0 = memoryless, cpus 0 = CPU-less.
           A node with neither is kept by QEMU (SRAT) but only the last such node becomes a Linux
           node, through the hotpluggable memory range QEMU gives to the last node.
  dist     full distance matrix (QEMU numbering) or None (QEMU's default, 10/20)
  append   extra kernel arguments
  steps    guest steps (see init.sh); "dimm ID NODE SIZE MODE" names the QEMU node the DIMM goes to
Node numbers in the checks are always the guest's, never these.
"""
import random

LOCAL = 10


def sym(n, f):
    """Symmetric matrix with d[i][j] = f(i, j) for i < j."""
    d = [[LOCAL] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            d[i][j] = d[j][i] = f(i, j)
    return d


def nodes(*spec):
    return [{"mem": m, "cpus": c} for m, c in spec]


BOOT = ["check boot"]

FIXED = [
    {"name": "t2-basic", "nodes": nodes((512, 1), (512, 1)), "dist": None, "steps": BOOT},
    # the reference experiment (kernel-zonelists.md section 8)
    {"name": "t3-cpuless", "nodes": nodes((512, 1), (512, 1), (512, 0)), "dist": None, "steps": BOOT},
    {"name": "t4-memoryless", "nodes": nodes((384, 1), (0, 1), (384, 1), (256, 0)),
     "dist": sym(4, lambda i, j: 20 + 5 * abs(i - j)), "steps": BOOT},
    # QEMU recipe (a): asymmetric, every directed pair given
    {"name": "t4-asym", "nodes": nodes((256, 1), (256, 1), (256, 1), (256, 0)),
     "dist": [[10, 12, 32, 32], [14, 10, 32, 32], [32, 32, 10, 12], [32, 32, 12, 10]], "steps": BOOT},
    # the 2021 AMD matrix: 10/12/32, ties everywhere
    {"name": "t4-amd-ties", "nodes": nodes((256, 1), (256, 1), (256, 0), (256, 0)),
     "dist": [[10, 12, 32, 32], [12, 10, 32, 32], [32, 32, 10, 12], [32, 32, 12, 10]], "steps": BOOT},
    {"name": "t6-all-ties", "nodes": nodes((256, 1), (128, 0), (128, 1), (128, 0), (0, 1), (128, 0)),
     "dist": sym(6, lambda i, j: 20), "steps": BOOT},
    {"name": "t8-ring", "nodes": nodes((256, 1), (128, 0), (128, 1), (128, 0), (128, 0), (0, 1), (128, 0), (128, 0)),
     "dist": sym(8, lambda i, j: 10 + 6 * min(j - i, 8 - (j - i))), "steps": BOOT},
    {"name": "t16-mixed", "nodes": nodes(*([(256, 1)] + [(64, 0)] * 4 + [(0, 1)] + [(64, 0)] * 4 + [(0, 1)] + [(64, 0)] * 4 + [(64, 1)])),
     "dist": sym(16, lambda i, j: 16 if i // 4 == j // 4 else 32), "steps": BOOT},
    {"name": "t4-movablecore", "nodes": nodes((512, 1), (256, 1), (256, 0), (256, 0)), "dist": None,
     "append": "movablecore=384M", "steps": BOOT},
    # node 0 memoryless: Linux's first memory is on QEMU node 1
    {"name": "t3-memoryless-first", "nodes": nodes((0, 1), (512, 1), (256, 0)),
     "dist": sym(3, lambda i, j: 15 * (j - i) + 10), "steps": BOOT},
    {"name": "t5-one-cpu-node", "nodes": nodes((256, 2), (128, 0), (128, 0), (128, 0), (128, 0)),
     "dist": [[10, 21, 21, 31, 31], [21, 10, 11 + 10, 31, 31], [21, 21, 10, 31, 31], [31, 31, 31, 10, 21], [31, 31, 31, 21, 10]],
     "steps": BOOT},
    # more than 2.75G: q35 puts RAM above 4G, so the last nodes have a Normal zone at boot
    {"name": "t4-normal-zone", "nodes": nodes((1024, 1), (1024, 1), (512, 0), (768, 0)),
     "dist": sym(4, lambda i, j: 20 if i // 2 == j // 2 else 30), "steps": BOOT},
    {"name": "t12-two-sockets", "nodes": nodes(*([(128, 1)] + [(64, 0)] * 5 + [(128, 1)] + [(64, 0)] * 5)),
     "dist": sym(12, lambda i, j: 12 if i // 6 == j // 6 else 32), "steps": BOOT},
    # a node that appears only by hotplug: QEMU gives the hotpluggable range to the last node
    {"name": "t4-hotplug-only-node", "nodes": nodes((512, 1), (256, 1), (256, 0), (0, 0)),
     "dist": sym(4, lambda i, j: 20 if j < 3 else 40),
     # the DIMM add brings node 3 online with a self-only build (node_load zeroed). By hand: the boot
     # pass (no CPU penalty) leaves node_load 1 on each of nodes 0-2, so node 3 (all at 40+1) gets
     # "0 1 2"; its own build sees CPUs on 0 and 1 (+1) and zero loads: "2 0 1". Seen on 6.1 and
     # 6.12 ("Fallback order for Node 3: 3 2 0 1" on 6.1). verify must explain it before the blocks
     # are onlined, then the full rebuild at online; a tight reader (zl inflight_*) verifies every
     # state it catches in between, e.g. node 3's new lists before node_set_online()
     "steps": ["check boot", "zl inflight_start", "dimm 1 3 256 none", "zl inflight_stop",
               "check dimm-added-self-only", "zl inflight_start", "mem_online 1 online_movable",
               "zl inflight_stop", "check after-online-full-rebuild"]},
]

HOTPLUG = [
    # DIMM into a memoryless node (it gains memory: new N_MEMORY node, new fallback orders)
    {"name": "h-dimm-memoryless", "nodes": nodes((512, 1), (0, 1), (512, 0)),
     "dist": sym(3, lambda i, j: 20 + 5 * (j - i)),
     "steps": ["check boot", "dimm 1 1 256 online", "check dimm-into-memoryless",
               "dimm 2 1 128 online_movable", "check second-dimm-movable"]},
    # online_movable into a node with memory: its Movable zone appears
    {"name": "h-movable-appears", "nodes": nodes((512, 1), (384, 1), (384, 0), (256, 0)),
     "dist": sym(4, lambda i, j: 20 if i // 2 == j // 2 else 30),
     "steps": ["check boot", "dimm 1 2 256 online_movable", "check movable-on-2",
               "dimm 2 0 128 online", "check normal-on-0"]},
    # CPU offline, then a memory rebuild: the rebuild sees the new CPU masks
    {"name": "h-cpu-offline-rebuild", "nodes": nodes((512, 1), (512, 2), (512, 0)), "dist": None,
     "steps": ["check boot", "dimm 1 2 256 online_movable", "check phase1",
               "cpu_off 1", "cpu_off 2", "check cpus-offline-no-rebuild",
               "dimm 2 1 256 online_movable", "check phase2-rebuild",
               "cpu_on 1", "cpu_on 2", "check cpus-online-no-rebuild"]},
    # memory offline that empties a zone (the Movable zone of node 1), then online again
    {"name": "h-offline-empties-zone", "nodes": nodes((512, 1), (256, 1), (256, 0)),
     "dist": sym(3, lambda i, j: 20),
     "steps": ["check boot", "dimm 1 1 256 online_movable", "check movable-on-1",
               "mem_offline 1", "check movable-emptied", "mem_online 1 online_movable", "check movable-back"]},
    # memory offline that empties a whole node (it leaves N_MEMORY; 6.7 changed the order of events)
    {"name": "h-offline-empties-node", "nodes": nodes((512, 1), (0, 1), (256, 0)),
     "dist": sym(3, lambda i, j: 20 + 4 * (j - i)),
     "steps": ["check boot", "dimm 1 1 256 online_movable", "check node1-has-memory",
               "mem_offline 1", "check node1-memoryless-again"]},
]

def stress(seed, events=100, reloads=20, churn=8):
    """The module stress run: EVENTS hotplug events under a concurrent reader, CHURN rounds of
    offline/online on two hot-added DIMMs, then RELOADS rmmod/insmod cycles under read."""
    rng = random.Random(seed)
    nd = nodes((512, 1), (0, 1), (384, 1), (256, 0))
    steps = ["check boot", "reader_start"]
    dimms = {}          # id -> [node, mode, online?]
    cpus_off = set()
    n = 0
    did = 0
    while n < events:
        r = rng.random()
        if (r < 0.3 or not dimms) and did < 12:
            did += 1
            node = rng.randrange(4)
            mode = rng.choice(["online", "online_movable", "online_movable"])
            dimms[did] = [node, mode, True]
            steps.append(f"dimm {did} {node} 128 {mode}")
        elif r < 0.65:
            movable = [i for i, d in dimms.items() if d[1] == "online_movable"]
            if not movable:
                continue
            i = rng.choice(movable)
            if dimms[i][2]:
                steps.append(f"mem_offline {i} tolerate")
            else:
                steps.append(f"mem_online {i} online_movable tolerate")
            dimms[i][2] = not dimms[i][2]
        else:
            cpu = rng.choice([1, 2])
            steps.append(f"cpu_{'on' if cpu in cpus_off else 'off'} {cpu}")
            cpus_off ^= {cpu}
        n += 1
        if n % 25 == 0:
            steps.append(f"check after-{n}-events")
    for cpu in sorted(cpus_off):
        steps.append(f"cpu_on {cpu}")
    # churn: two movable DIMMs through offline/online/offline/online_movable again and again, so
    # that the reader's `zonelens show`/`verify` land inside operations (the module says so in its
    # `inflight` line) and must wait them out
    for i in [i for i, d in dimms.items() if d[1] == "online_movable"][:2]:
        steps.append(f"churn {i} {churn}")
    steps.append("check after-churn")
    # after the reloads the module's event log starts afresh: if the CPU masks changed since the last
    # rebuild, verify infers them from the lists (and the log notes it); it must still exit 0
    steps += [f"reload {reloads}", "reader_stop", "check after-reload"]
    return {"name": f"stress-{seed}", "nodes": nd, "dist": sym(4, lambda i, j: 20 if i // 2 == j // 2 else 28),
            "slots": 16, "steps": steps, "timeout": 900}


def random_topology(seed, index):
    """Random topology number INDEX of SEED: 2..12 nodes, at most 4 CPUs, memoryless and CPU-less
    nodes, symmetric or asymmetric distances drawn from a small set (many ties), and one DIMM hot-add."""
    rng = random.Random(seed * 1000 + index)
    n = rng.randint(2, 12)
    ncpu = rng.randint(1, min(4, n))
    cpu_nodes = sorted(rng.sample(range(n), ncpu))
    nd = []
    for i in range(n):
        # a lone vCPU boots about twice as slowly under TCG: a single CPU node gets two
        cpus = (1 if ncpu > 1 else 2) if i in cpu_nodes else 0
        mem = rng.choice([0, 128, 128, 256, 384]) if cpus else rng.choice([64, 128, 256])
        nd.append({"mem": mem, "cpus": cpus})
    if sum(x["mem"] for x in nd) < 512:
        nd[0]["mem"] += 512 - sum(x["mem"] for x in nd)
    vals = rng.sample([11, 12, 15, 16, 20, 21, 25, 30, 32, 40], rng.randint(1, 4))
    asym = rng.random() < 0.3
    d = [[LOCAL] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i != j and (asym or i < j):
                d[i][j] = rng.choice(vals)
            if not asym and i > j:
                d[i][j] = d[j][i]
    node = rng.randrange(n)
    mode = rng.choice(["online", "online_movable"])
    steps = ["check boot", f"dimm 1 {node} 128 {mode}", "check after-dimm"]
    if rng.random() < 0.5 and ncpu > 1:
        cpu = rng.randrange(1, ncpu)
        steps += [f"cpu_off {cpu}", f"dimm 2 {rng.randrange(n)} 128 online_movable", "check cpu-off-rebuild"]
    return {"name": f"rand-{seed}-{index}", "nodes": nd, "dist": d, "steps": steps}


def quickstart():
    """The README's quick start: 4 nodes, node 2 CPU-less, node 3 memoryless; hot-add memory to node 3."""
    return {"name": "quickstart", "nodes": nodes((512, 1), (512, 1), (512, 0), (0, 1)),
            "dist": [[10, 16, 22, 22], [16, 10, 22, 22], [22, 22, 10, 16], [22, 22, 16, 10]],
            "steps": ["check boot report", "dimm 1 3 256 online", "check after-hot-add report"]}


# The boot checks run on arm64 and ppc64el (vm-<arch>-<kernel>-fixed, the fixed group slimmed to these): the reference experiment (where
# pseries differs), a memoryless node with asymmetric-looking distances, Linux's first memory on
# QEMU node 1. A pseries guest takes 25-40 s under TCG, so the set stays small (the whole fixed group
# passes by hand: docs/vm-harness.md).
BOOT_SET = ["t3-cpuless", "t4-memoryless", "t3-memoryless-first"]

GROUPS = {
    "fixed": lambda seed, count: FIXED,
    "boot": lambda seed, count: [t for t in FIXED if t["name"] in BOOT_SET],
    "hotplug": lambda seed, count: HOTPLUG,
    "random": lambda seed, count: [random_topology(seed, i) for i in range(count)],
    "stress": lambda seed, count: [stress(seed)],
    "quickstart": lambda seed, count: [quickstart()],
}


# What each guest architecture can boot and do (architectures.md; the 256 MiB rounding and the
# kernel's own DIMM online checked in pseries guests, the refusals below taken from the notes):
# - arm64 (QEMU virt, device tree): no DIMM hot-add (Debian's arm64 kernels have no ACPI memory
#   hotplug), and boot memory refuses to go offline. A DIMM step becomes virtio-mem memory (zlvm.py),
#   whose node the kernel picks under a device tree (the step's node is not used), where the kernel's
#   virtio-mem modules are at hand. A node with neither CPUs nor memory exists only when the distance
#   map names it.
# - ppc64el (QEMU pseries): every node's memory and every DIMM in multiples of 256 MiB (rounded up
#   here), the first node with memory at least 128 MiB; FORM1 affinity refuses nodes with neither
#   CPUs nor memory; the kernel onlines a hot-added DIMM itself (init.sh, dodimm).
MEMORY_STEPS = ("dimm ", "mem_offline ", "mem_online ", "churn ")


def for_arch(topo, arch, virtio_mem=False):
    """TOPO as guest architecture ARCH (amd64, arm64, ppc64el) can run it, or (None, why).
    virtio_mem: the arm64 kernel's virtio-mem modules are at hand (zlvm.py puts them in the guest)."""
    if arch == "amd64":
        return topo, None
    empty = any(n["mem"] == 0 and n["cpus"] == 0 for n in topo["nodes"])
    if arch == "arm64":
        # Debian's arm64 kernels lack ACPI memory hotplug and refuse to offline boot memory; memory
        # comes by virtio-mem (zlvm.py), on the node the kernel picks: a DIMM's QEMU node is not
        # used, its size rounds up to the 128 MiB memory blocks (4 KiB pages). The checks compare
        # with the kernel's own prints, wherever the memory went.
        if any(st.startswith(MEMORY_STEPS) for st in topo["steps"]) and not virtio_mem:
            return None, "memory hot-add needs virtio-mem on arm64, and this kernel has no virtio_mem module at hand"
        if empty and not topo.get("dist"):
            return None, "a node with neither CPUs nor memory needs a distance map on arm64"
        t = dict(topo, steps=round_dimms(topo["steps"], 128))
        # virt's DMA zone is all memory below 4 GiB, a node's whole memory, not x86's 16 MiB: what a
        # probe expects of DMA in particular does not hold there (each observed order is still
        # checked against the live list)
        expect = {step: {z: v for z, v in zones.items() if z != "DMA"}
                  for step, zones in topo.get("probe_expect", {}).items()}
        if "probe_expect" in topo:
            t["probe_expect"] = {step: zones for step, zones in expect.items() if zones}
        return t, None
    if empty:
        return None, "pseries (FORM1) refuses a node with neither CPUs nor memory"

    # pseries onlines hot-added memory itself: movable_node makes that ZONE_MOVABLE (default_zone_for_pfn),
    # which the memory steps can offline again
    t = dict(topo, nodes=[dict(n, mem=round_up(n["mem"], 256)) for n in topo["nodes"]],
             append=(topo.get("append", "") + " movable_node").strip())
    t["steps"] = round_dimms(topo["steps"], 256)
    return t, None


def round_up(mb, unit):
    return -(-mb // unit) * unit


def round_dimms(steps, unit):
    """STEPS with every `dimm ID NODE SIZE MODE` SIZE rounded up to a multiple of UNIT MiB."""
    out = []
    for st in steps:
        w = st.split()
        if w[0] == "dimm":
            w[3] = str(round_up(int(w[3]), unit))
        out.append(" ".join(w))
    return out


def by_name(name):
    for t in FIXED + HOTPLUG + [quickstart()]:
        if t["name"] == name:
            return t
    parts = name.split("-")
    if parts[0] == "rand" and len(parts) == 3:
        return random_topology(int(parts[1]), int(parts[2]))
    if parts[0] == "stress" and len(parts) == 2:
        return stress(int(parts[1]))
    raise KeyError(name)
