import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  totalMemoryGiB: number;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cpus: os.availableParallelism(),
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

export function describeMachine(info: MachineInfo): string {
  return `machine: ${info.cpuModel}, ${info.cpus} cores, ${info.totalMemoryGiB} GiB, node ${info.node}, ${info.platform}`;
}
