#!/bin/bash
# Price a log in 8 shards as a Slurm job array: task i (1..8, in
# SLURM_ARRAY_TASK_ID) prices shard i of 8 into the shared directory; then
#   sbatch --dependency=afterok:$JOBID --wrap 'wacost merge /shared/part-*.json --format json > /shared/result.json'
#SBATCH --job-name=wacost-shards
#SBATCH --array=1-8
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
set -euo pipefail
# wacost-shard-command
wacost simulate /shared/log.csv --shard "${SLURM_ARRAY_TASK_ID}/8" --format partial -q -o "/shared/part-${SLURM_ARRAY_TASK_ID}.json"
