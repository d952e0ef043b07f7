#!/usr/bin/python3
"""Time the Python reference detector (shared/reference/seedlib.py) for bench/detect.ts.

Imports seedlib from the reference folder (--seedlib-dir) and runs its own
``load_rgb`` + ``find_faces`` (no models: pure detection with the rotation
sweep).  Prints exactly one JSON object on stdout; progress goes to stderr.

    reference_detect.py --seedlib-dir ../shared/reference photo IMAGE --runs 3 --rotation-step 15
    reference_detect.py --seedlib-dir ../shared/reference set LIST.json --rotation-step 15 --min-size 24

Timings: ``load`` is seedlib.load_rgb (JPEG decode), ``find`` is find_faces
(warp + cascade + de-dup), ``total`` is both, all wall seconds; ``cpu`` is
time.process_time() over load + find (all threads of this process).  Peak RSS is
resource.getrusage(RUSAGE_SELF).ru_maxrss (KiB on Linux) at the end.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seedlib-dir", required=True, help="folder holding seedlib.py (shared/reference)")
    p.add_argument("--rotation-step", type=float, default=15, help="15 = full sweep, 360 = angle 0 only")
    p.add_argument("--scale-factor", type=float, default=1.1)
    p.add_argument("--step-ratio", type=float, default=2.0)
    p.add_argument("--min-size", type=int, default=100)
    p.add_argument("--max-size", type=int, default=2000)
    sub = p.add_subparsers(dest="mode", required=True)
    photo = sub.add_parser("photo", help="one image, several runs")
    photo.add_argument("image")
    photo.add_argument("--runs", type=int, default=1)
    one_set = sub.add_parser("set", help="a list of images (JSON array of paths), one run each")
    one_set.add_argument("list")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    sys.path.insert(0, str(Path(args.seedlib_dir).resolve()))
    import seedlib  # noqa: E402  (sets OMP_NUM_THREADS=1 unless already set)

    detector = seedlib.make_detector()
    det_params = dict(scale_factor=args.scale_factor, step_ratio=args.step_ratio,
                      min_size=args.min_size, max_size=args.max_size)
    angles = len(seedlib.rotation_angles(args.rotation_step))

    def one(path):
        c0 = time.process_time()
        t0 = time.perf_counter()
        img = seedlib.load_rgb(Path(path))
        t1 = time.perf_counter()
        timings = {}
        faces = seedlib.find_faces(img, detector, [], det_params, args.rotation_step, timings)
        t2 = time.perf_counter()
        cpu = time.process_time() - c0
        return {"load": t1 - t0, "find": t2 - t1, "total": t2 - t0, "cpu": cpu, "warp": timings.get("warp", 0.0),
                "detect": timings.get("detect", 0.0), "faces": len(faces),
                "shape": [int(v) for v in img.shape]}

    out = {"mode": args.mode, "params": dict(det_params, rotation_step=args.rotation_step, angles=angles),
           "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
           "python": sys.version.split()[0]}
    try:
        import skimage
        out["skimage"] = skimage.__version__
    except Exception:  # pragma: no cover - version is informational only
        pass

    if args.mode == "photo":
        runs = []
        for i in range(max(1, args.runs)):
            r = one(args.image)
            runs.append(r)
            print(f"[reference] {Path(args.image).name} run {i + 1}/{args.runs}: {r['total']:.2f} s "
                  f"(load {r['load']:.2f}, warp {r['warp']:.2f}, cascade {r['detect']:.2f}), "
                  f"{r['faces']} faces", file=sys.stderr, flush=True)
        out["runs"] = runs
        out["median"] = {k: statistics.median(r[k] for r in runs)
                         for k in ("load", "find", "total", "cpu", "warp", "detect")}
        out["faces"] = runs[-1]["faces"]
        out["shape"] = runs[-1]["shape"]
    else:
        files = json.loads(Path(args.list).read_text())
        per_image = []
        for i, f in enumerate(files):
            r = one(f)
            r["file"] = Path(f).name
            per_image.append(r)
            print(f"[reference] {i + 1}/{len(files)} {r['file']}: {r['total']:.2f} s, {r['faces']} faces",
                  file=sys.stderr, flush=True)
        n = max(1, len(per_image))
        out["images"] = len(per_image)
        out["per_image"] = per_image
        out["sum"] = {k: sum(r[k] for r in per_image) for k in ("load", "find", "total", "cpu", "warp", "detect")}
        out["seconds_per_image"] = {k: v / n for k, v in out["sum"].items()}
        out["faces"] = sum(r["faces"] for r in per_image)

    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["max_rss_kib"] = usage.ru_maxrss
    out["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    print(json.dumps(out))


if __name__ == "__main__":
    main()
