#!/usr/bin/env bash
# The training-throughput checks of the trainer issue, as one short GPU session (about 8 minutes on an H200).
#
# Each line builds a real Qwen2.5-Coder architecture with random weights (nothing is downloaded), caps PyTorch at 32 GiB
# as on an RTX 5090, trains LoRA for a few steps and appends one JSON object to $OUT/train_gpu.jsonl. The first line is
# the current 5090-1.5b profile; the others are the candidates for the next profile: compiled layers, Liger's kernels,
# attention per packed sample, a share of the layers checkpointed, no checkpointing, flex attention, QLoRA, and the 7B
# profile. All runs use the same weights and data, so their first losses must agree (to bf16 precision): a kernel that
# changes the numbers shows there.
#
# There is no RTX 5090 among the lent machines, so each run also projects its tokens/s onto one (`--project-to 5090`):
# the profiler splits a step's GPU time into tensor-core kernels (matrix products, attention) and the rest; the first
# is scaled by matmul throughput (measured here vs 209.5-254 TFLOP/s), the rest by copy bandwidth (measured here vs
# 1.61 TB/s), and idle time (launch gaps, host work) is kept as it is.
#
# Wheels the GPU image lacks travel with the working tree (see ../.library/device/README.md), fetched here once:
#   echo /.whl/ >> .git/info/exclude
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#       --platform manylinux_2_24_x86_64 --platform manylinux_2_17_x86_64 -d .whl bitsandbytes==0.50.2 liger-kernel==0.8.5
# and then, with the device tool: run(command="bash bench/gpu_train_check.sh", carry=[".whl"], timeout_s=560)
set -u
OUT=${OUT:-bench/out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH=/tmp/site
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 -c "import torch, transformers, peft; print('torch', torch.__version__, 'transformers', transformers.__version__, 'peft', peft.__version__)" | tee -a "$OUT/gpu.txt"
deadline=$((SECONDS + ${BUDGET_S:-500}))  # the most telling runs first: one that no longer fits says so
bench() {  # one configuration: a label, then the flags of bench/train_throughput.py
  local label=$1; shift
  local left=$((deadline - SECONDS))
  if [ "$left" -lt 45 ]; then echo "{\"label\": \"$label\", \"skipped\": \"out of time\"}" >> "$OUT/train_gpu.jsonl"; return; fi
  local t=$SECONDS
  if line=$(timeout $((left < 150 ? left : 150)) python3 bench/train_throughput.py --random-init --memory-cap-gb 32 --project-to 5090 --json "$@" 2>>"$OUT/stderr.log" | tail -1) && [ -n "$line" ]; then
    echo "{\"label\": \"$label\", \"wall_s\": $((SECONDS - t)), \"result\": $line}" >> "$OUT/train_gpu.jsonl"
  else
    echo "{\"label\": \"$label\", \"wall_s\": $((SECONDS - t)), \"error\": \"failed or timed out; see stderr.log\"}" >> "$OUT/train_gpu.jsonl"
  fi
  tail -1 "$OUT/train_gpu.jsonl" | cut -c1-400
}
A15=${A15:-"--arch qwen2.5-coder-1.5b --profile 5090-1.5b --steps 8 --warmup 3"}
A7=${A7:-"--arch qwen2.5-coder-7b --profile 5090-7b --steps 6 --warmup 2"}
bench 1.5b-profile        $A15
bench 1.5b-segments       $A15 --attention segments
bench 1.5b-liger          $A15 --kernels liger
bench 1.5b-compile        $A15 --compile
bench 1.5b-segments-comp  $A15 --attention segments --compile
bench 7b-profile          $A7
bench 1.5b-segments-liger $A15 --attention segments --kernels liger
bench 1.5b-b2-half-ckpt   $A15 --batch-size 2 --checkpointed-share 0.5 --attention segments
bench 1.5b-b1-no-ckpt     $A15 --batch-size 1 --checkpointing false --attention segments
bench 7b-segments-liger   $A7 --attention segments --kernels liger
bench 1.5b-qlora          $A15 --qlora
bench 1.5b-flex-compile   $A15 --attention flex_attention --compile
echo done
