/**
 * One Dawn (WebGPU) instance per test process, on SwiftShader's Vulkan: creating several in one
 * process crashed Dawn (std::system_error, "Invalid argument") on a CI run.
 */
import { existsSync } from 'fs';
import { nodeWebGpu, NodeGpu } from '../../src/cli/nodeGpu';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
let shared: Promise<NodeGpu> | undefined;

/** The process's WebGPU, or undefined where SwiftShader's Vulkan driver is not installed. */
export function sharedWebGpu(): Promise<NodeGpu> | undefined {
  if (!existsSync(SWIFTSHADER_ICD)) return undefined;
  process.env.VK_ICD_FILENAMES ??= SWIFTSHADER_ICD;
  // Never disposed: the unit runner exits the process when the suite ends.
  return (shared ??= nodeWebGpu());
}
