/** What decides which listeners a process opens, and on which ports. */
export interface ListenerSettings {
  roles: readonly string[];
  port: number;
  adminPort?: number | undefined;
  gatewayPort: number;
  metricsPort: number;
  forwardAuthPort?: number | undefined;
  samplesEnabled: boolean;
  samplesPort: number;
}

/** The setting of each listener this process opens on a fixed port (0 asks for a free one). */
export function listenerPorts(settings: ListenerSettings): Array<{ setting: string; port: number }> {
  const roles = new Set(settings.roles);
  const ports: Array<{ setting: string; port: number | undefined }> = [];
  const adminOnMain = roles.has('admin') && settings.adminPort === undefined;
  if (roles.has('token-service') || adminOnMain) ports.push({ setting: 'port', port: settings.port });
  if (roles.has('admin')) ports.push({ setting: 'adminPort', port: settings.adminPort });
  if (roles.has('gateway')) {
    ports.push({ setting: 'gatewayPort', port: settings.gatewayPort });
    ports.push({ setting: 'metricsPort', port: settings.metricsPort });
    ports.push({ setting: 'forwardAuthPort', port: settings.forwardAuthPort });
    if (settings.samplesEnabled) ports.push({ setting: 'samplesPort', port: settings.samplesPort });
  }
  return ports.filter((p): p is { setting: string; port: number } => p.port !== undefined && p.port !== 0);
}

/** A listener of this process whose port another already has: its setting and why; undefined when none. */
export function sharedPort(settings: ListenerSettings): { setting: string; message: string } | undefined {
  const seen = new Map<number, string>();
  for (const { setting, port } of listenerPorts(settings)) {
    const other = seen.get(port);
    if (other !== undefined) {
      return { setting, message: `is ${port}, as ${other} is: give each listener a port of its own` };
    }
    seen.set(port, setting);
  }
  return undefined;
}
