import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  totalMemoryGiB: number;
  node: string;
  platform: string;
  /** 1-minute load average when the bench started: other work on the machine skews the figures. */
  loadAverage: number;
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cpus: os.availableParallelism(),
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

export function describeMachine(info: MachineInfo): string {
  return `machine: ${info.cpuModel}, ${info.cpus} cores, ${info.totalMemoryGiB} GiB, node ${info.node}, ${info.platform}; load average ${info.loadAverage}`;
}
