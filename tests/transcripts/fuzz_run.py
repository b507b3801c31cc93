"""Runs one generated ordering scenario on CPython's asyncio.

Usage: python3 fuzz_run.py fuzz_NN.json

The counterpart of fuzz_run.ts (which runs the same data on our library):
one line per event, then the final state of every task. The scenario format
and the generator are in fuzz_gen.ts; record.sh stores the output as
fuzz_NN.out.
"""
import asyncio
import json
import sys

AWAITS = {"sleep0", "sleep", "awaitF", "awaitT", "gather", "wait"}


def secs(ms):
    return ms / 1000


def run_scenario(sc):
    T, F, H = {}, {}, {}
    cbs = {c["name"]: c["acts"] for c in sc["cbs"]}
    tasks = {t["name"]: t for t in sc["tasks"]}
    st = {"loop": None, "t0": 0.0}

    def fmts(xs):
        return " ".join(
            "CancelledError" if isinstance(x, asyncio.CancelledError) else str(x) for x in xs
        )

    def names(s):
        return " ".join(n for n, t in T.items() if t in s) or "-"

    def schedule(w, fn):
        loop = st["loop"]
        if w["via"] == "soon":
            return loop.call_soon(fn)
        if w["via"] == "later":
            return loop.call_later(secs(w["ms"]), fn)
        base = st["t0"] if w["abs"] else loop.time()
        return loop.call_at(base + secs(w["ms"]), fn)

    def callback(name):
        def cb():
            print(f"{name} runs")
            for a in cbs[name]:
                act(a, name)

        return cb

    def handle(name):
        return lambda: print(f"{name} runs")

    def done_cb(f):
        return lambda fut: print(f"{f} done callback, cancelled", fut.cancelled())

    def act(a, owner):
        k = a["k"]
        if k == "cb":
            schedule(a, callback(a["cb"]))
        elif k == "handle":
            if a["cancel"] != "now":
                schedule(a["cancel"], callback(a["cancel"]["cb"]))
            H[a["h"]] = schedule(a, handle(a["h"]))
            if a["cancel"] == "now":
                act({"k": "cancelH", "h": a["h"]}, owner)
        elif k == "cancelH":
            print(f"{owner} cancels {a['h']}")
            H[a["h"]].cancel()
        elif k == "task":
            t = tasks[a["t"]]
            T[t["name"]] = st["loop"].create_task(task_body(t["name"], t["onCancel"], t["steps"]))
        elif k == "cancelT":
            print(f"{owner} cancels {a['t']}:", T[a["t"]].cancel())
        elif k == "setF":
            f = a["f"]
            if F[f].done():
                print(f"{owner}: {f} already done, cancelled", F[f].cancelled())
            else:
                print(f"{owner} sets {f}")
                F[f].set_result(f"{f}-value")
        elif k == "doneCb":
            F[a["f"]].add_done_callback(done_cb(a["f"]))
        else:
            raise ValueError(f"{owner}: {k} awaits")

    async def step(a, name):
        k = a["k"]
        if k == "sleep0":
            await asyncio.sleep(0)
            print(f"{name} sleep(0) done")
        elif k == "sleep":
            await asyncio.sleep(secs(a["ms"]))
            print(f"{name} sleep({secs(a['ms'])}) done")
        elif k == "awaitF":
            print(f"{name} awaited {a['f']}:", await F[a["f"]])
        elif k == "awaitT":
            print(f"{name} awaited {a['t']}:", await T[a["t"]])
        elif k == "gather":
            label = f"{name} gather({' '.join(a['ts'])})"
            ts = [T[t] for t in a["ts"]]
            print(f"{label}:", fmts(await asyncio.gather(*ts, return_exceptions=a["retEx"])))
        elif k == "wait":
            label = f"{name} wait({' '.join(a['ts'])})"
            kw = {}
            if a["first"]:
                kw["return_when"] = asyncio.FIRST_COMPLETED
            if a["timeoutMs"] is not None:
                kw["timeout"] = secs(a["timeoutMs"])
            done, pending = await asyncio.wait([T[t] for t in a["ts"]], **kw)
            print(f"{label}: done", names(done), "pending", names(pending))
        else:
            act(a, name)

    async def task_body(name, on_cancel, steps):
        if name == "main":
            st["loop"] = asyncio.get_running_loop()
            st["t0"] = st["loop"].time()
            print("main starts")
        else:
            print(f"{name} starts")
        try:
            if name == "main":
                for f in sc["futures"]:
                    F[f] = st["loop"].create_future()
            for a in steps:
                await step(a, name)
        except asyncio.CancelledError:
            if on_cancel == "none":
                raise
            print(f"{name} caught CancelledError")
            if on_cancel == "reraise":
                raise
            if name != "main":
                return f"{name} caught"
        print(f"{name} ends")
        return name

    if sc["shape"] == "loop":
        loop = st["loop"] = asyncio.new_event_loop()
        st["t0"] = loop.time()
        for f in sc["futures"]:
            F[f] = loop.create_future()
        for a in sc["setup"]:
            act(a, "setup")

        def stop():
            print("stop")
            loop.stop()

        loop.call_at(st["t0"] + secs(sc["endMs"]), stop)
        loop.run_forever()
    else:
        asyncio.run(task_body("main", "return", sc["setup"] + sc["main"]))
    for name, t in T.items():
        print(name, "cancelled" if t.cancelled() else t.result() if t.done() else "pending")
    if sc["shape"] == "loop":
        loop.close()


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        run_scenario(json.load(f))
