// Kept only so src/engine (being moved by another change) still compiles; import the port instead.
export { ReplayLedger } from './replay-ledger.port';
