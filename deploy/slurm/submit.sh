#!/bin/bash
# Submits a scalesim sweep to Slurm as a job array of SLICES tasks (sweep.sbatch), and
# the merge of their results (merge.sbatch), which starts once every task has succeeded.
#
#   deploy/slurm/submit.sh [SBATCH OPTIONS...]
#
# Run it from the repository's root (or wherever the relative paths below hold), on a
# file system the compute nodes see. SBATCH OPTIONS (--partition, --account, ...) go to
# both jobs. Settings, from the environment, with their defaults:
#   SCALESIM=target/release/scalesim (if built here, else scalesim on PATH)
#   SCENARIO=scenarios/monday-spike.ron
#   SET="pools.web.size.max=5..40:5"   (several: "a.b=1,2 c.d=3..9:3"; empty: a batch)
#   REPLICATIONS=5
#   EXTRA=             (more options for sweep/batch: "--precision 0.05 --warmup auto")
#   SLICES=8
#   OUT=out/slurm-sweep
# Example: SLICES=16 SET="workload.rate.per_sec=2..3.2:0.1" \
#     SCENARIO=scenarios/validation/mmc-rho08.ron deploy/slurm/submit.sh -p short
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ -x target/release/scalesim ]]; then
    default_scalesim=target/release/scalesim
else
    default_scalesim=scalesim
fi
export SCALESIM=${SCALESIM:-$default_scalesim}
export SCENARIO=${SCENARIO:-scenarios/monday-spike.ron}
export SET=${SET-pools.web.size.max=5..40:5}
export REPLICATIONS=${REPLICATIONS:-5}
export EXTRA=${EXTRA:-}
export SLICES=${SLICES:-8}
export OUT=${OUT:-out/slurm-sweep}

# Fail here, not in the queue.
if ! command -v "$SCALESIM" >/dev/null; then
    echo "submit: no scalesim at '$SCALESIM': build it (cargo build --release" \
        "--no-default-features) or set SCALESIM" >&2
    exit 2
fi
if [[ ! $SLICES =~ ^[1-9][0-9]*$ ]]; then
    echo "submit: SLICES must be a whole number >= 1, not '$SLICES'" >&2
    exit 2
fi
if [[ -d $SCENARIO && -z $SET ]]; then
    find "$SCENARIO" -name '*.ron' -print0 | xargs -0 -r "$SCALESIM" check >/dev/null
else
    "$SCALESIM" check "$SCENARIO" >/dev/null
fi

# --parsable prints "jobid" or "jobid;cluster".
array=$(sbatch --parsable --array="1-$SLICES" "$@" "$here/sweep.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" "$@" "$here/merge.sbatch")
merge=${merge%%;*}

echo "sweep: job array $array, $SLICES task(s), slices in $OUT/slice-*"
echo "merge: job $merge, once all of $array succeeded: $OUT/merged/results.csv"
echo "watch: squeue --me -j $array,$merge"
