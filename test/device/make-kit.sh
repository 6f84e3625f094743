#!/usr/bin/env bash
# Prepares `.device/` and `.gl/` (both ignored) for the GPU machine, which has no Node and no
# network: the production CLI bundled with gpu.js, this machine's node and Dawn (xz), the webgpu
# package's loader, and Debian's Vulkan/GL loader packages. Then, with the device tool:
#   run: bash test/device/run.sh   carry: [".device", ".gl"]   (about 30 MB travels)
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .device && mkdir -p .device/node_modules/webgpu/dist/linux-x64 .gl /tmp/amd64/partial
node -e "
const esbuild = require('esbuild');
const { optionsFor } = require('./esbuild.js');
const target = { entryPoints: ['src/cli/main.ts'], outfile: '.device/cli.js', platform: 'node', banner: { js: '#!/usr/bin/env node' }, external: ['vscode', 'webgpu', 'gl'] };
esbuild.build(optionsFor(target, { production: true })).catch((e) => { console.error(e); process.exit(1); });"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json .device/node_modules/webgpu/
xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > .device/dawn.node.xz
xz -T2 -6 -c "$(command -v node)" > .device/node.xz
cp test/device/check.py .device/
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
apt-get $o update -qq
(cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
du -sh .device .gl
