/** Exchange (EWS) simulator: see README.md. */
export { startExchangeSimulator, type ExchangeSimulator, type ExchangeSimulatorOptions } from "./server";
export { demoTenant, DEMO, type DemoTenantOptions } from "./demo-tenant";
export { loadTenantFile, parseTenant, TenantError, type Tenant, type TenantInput } from "./tenant";
export type { FaultInjection, InjectedFaultKind, ThrottlingLimits } from "./faults";
export type { SimulatorCounters, RecordedCall } from "./counters";
