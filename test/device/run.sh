#!/bin/bash
# Device check: the minified production CLI on the H200's WebGPU (Dawn on NVIDIA Vulkan) vs the CPU path.
# On the GPU machine (see make-kit.sh). Unpacks the loaders, node and Dawn, then runs `attend`
# on WebGPU, auto and the CPU path at each n and compares the outputs.
cd "$(dirname "$0")/../../.device"
for f in ../.gl/*.deb; do dpkg -x $f /; done; ldconfig
[ -x ./node ] || { xz -d -T8 -c node.xz > node; chmod +x node; }
[ -f node_modules/webgpu/dist/linux-x64/dawn.node ] || xz -d -c dawn.node.xz > node_modules/webgpu/dist/linux-x64/dawn.node
nvidia-smi -L; ./node --version; ldconfig -p | grep -i libvulkan
ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d 2>&1
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
echo "VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-} VK_DRIVER_FILES=$VK_DRIVER_FILES"
P="--pattern fixed --stride 128 --c 8 --subblocks 8 --mode interleaved --layer 0"
for n in ${NS:-4096 16384 65536}; do
  python3 check.py gen $n
  A="--q /tmp/q$n.npy --k /tmp/k$n.npy --v /tmp/v$n.npy $P"
  for b in webgpu auto cpu; do
    /usr/bin/time -f "$b n=$n wall %e s, max RSS %M KB" ./node cli.js attend $A --backend $b --threads ${THREADS:-16} --out /tmp/o_${b}_$n.npy --verbose 2>&1 | cut -c1-400
  done
  python3 check.py cmp /tmp/o_webgpu_$n.npy /tmp/o_cpu_$n.npy
done
