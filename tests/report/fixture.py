#!/usr/bin/env python3
"""Write the fixed sweep herd-report's tests draw: tests/report/fixture.py DIR.

12 trials (a log-scaled lr x a discrete optimizer), two metric streams with a NaN,
a NaN and a missing objective, a failed trial (TIMEOUT) with logs, live and unsent
trials, and hostile names (a metric, a parameter, an experiment name, a value, a log
line) that the page must escape. Deterministic: the same bytes every run (python3, stdlib only).
"""
import hashlib, json, math, os, sys

HOSTILE = "<script>alert(1)</script>\"'&"
ws = sys.argv[1]
os.makedirs(os.path.join(ws, ".hyperherd", "results"), exist_ok=True)
os.makedirs(os.path.join(ws, ".hyperherd", "logs"), exist_ok=True)
with open(os.path.join(ws, "hyperherd.yaml"), "w") as f:
    f.write("""name: report-demo
launcher: launch.sh
slurm:
  partition: cpu
grid: all
parameters:
  lr:
    type: continuous
    low: 1.0e-4
    high: 1.0e-1
    scale: log
    steps: 4
  "<script>alert(1)</script>&x":
    abbrev: opt
    type: discrete
    values: [adam, sgd, "<b>x</b>"]
    labels: [adam, sgd, bx]
""")
with open(os.path.join(ws, "launch.sh"), "w") as f:
    f.write("#!/bin/bash\n")
os.chmod(os.path.join(ws, "launch.sh"), 0o755)

lrs = [0.0001, 0.001, 0.01, 0.1]
opts = ["adam", "sgd", "<b>x</b>"]
statuses = {4: "failed", 9: "running", 10: "queued", 11: "ready"}
records = []
for i, (lr, opt) in enumerate((a, b) for a in lrs for b in opts):
    params = {"lr": lr, "<script>alert(1)</script>&x": opt}
    blob = json.dumps({"extras": {}, "params": params}, sort_keys=True)
    name = "lr-%g_opt-%s" % (lr, opt)
    if i == 7:
        name = "lr-0.01_opt-<img src=x onerror=alert(1)>"
    records.append({"index": i, "hash": hashlib.sha1(blob.encode()).hexdigest()[:12],
                    "params": params, "extras": {}, "experiment_name": name,
                    "status": statuses.get(i, "completed")})
with open(os.path.join(ws, ".hyperherd", "manifest.json"), "w") as f:
    json.dump(records, f, indent=2)
with open(os.path.join(ws, ".hyperherd", "job_ids.json"), "w") as f:
    json.dump([{"slurm_job_id": "1001", "indices": list(range(11))}], f, indent=2)
with open(os.path.join(ws, ".hyperherd", "slurm_state.json"), "w") as f:
    json.dump({"4": {"job": "1001_4", "state": "TIMEOUT", "reason": None, "exit_code": 0,
                     "elapsed_seconds": 300, "max_rss_bytes": None, "req_mem_bytes": None}}, f)

def loss(i, step):
    lr, k = lrs[i // 3], i % 3
    rate = {0.0001: 0.01, 0.001: 0.04, 0.01: 0.08, 0.1: 0.02}[lr] * (1 + 0.3 * k)
    return round(0.2 + 2.0 * math.exp(-rate * step) + 0.01 * math.sin(step + i), 6)

for r in records:
    i = r["index"]
    if r["status"] in ("queued", "ready"):
        continue
    steps = 40 if r["status"] != "failed" else 17
    d = os.path.join(ws, ".hyperherd", "results", str(i), "stream")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "loss.jsonl"), "w") as f:
        for s in range(steps):
            v = float("nan") if (i == 2 and s == 20) else loss(i, s)
            f.write(json.dumps({"step": s, "value": v, "ts": 1795940000.0 + s}) + "\n")
    with open(os.path.join(d, "acc.jsonl"), "w") as f:
        for s in range(0, steps, 2):
            f.write(json.dumps({"step": s, "value": round(1 - loss(i, s) / 2.2, 6),
                                "ts": 1795940000.0 + s}) + "\n")
    if r["status"] == "completed":
        summary = {"val_loss": loss(i, 39) + 0.05, HOSTILE: i}
        if i == 5:
            summary["val_loss"] = float("nan")
        if i == 8:
            del summary["val_loss"]
        with open(os.path.join(ws, ".hyperherd", "results", "%d.json" % i), "w") as f:
            json.dump(summary, f, indent=2)

logs = os.path.join(ws, ".hyperherd", "logs")
with open(os.path.join(logs, "4.out"), "w") as f:
    for s in range(30):
        f.write("step %d loss=%.4f\n" % (s, loss(4, s)))
with open(os.path.join(logs, "4.err"), "w") as f:
    f.write("Traceback (most recent call last):\n  File \"train.py\", line 3\n"
            "slurmstepd: error: *** JOB 1001 ON node1 CANCELLED DUE TO TIME LIMIT ***\n"
            "warning: </pre><script>alert(2)</script> & done\n")
with open(os.path.join(logs, "9.out"), "w") as f:
    f.write("step 39\n")
