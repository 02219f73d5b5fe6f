// VWAP: slices follow a volume profile over the horizon (given, or learnt from history with
// learnVolumeProfile), each capped at a share of the volume traded since the last slice.
import { scheduledAlgoMachine } from './scheduled.ts';

export const vwapMachine = scheduledAlgoMachine('vwap');
export type VwapMachine = typeof vwapMachine;
