// TWAP: a quantity spread evenly over a horizon, one slice per interval, each sized from what is left over
// the slices left (so it corrects itself after partial fills), optionally randomised, maker or taker.
import { scheduledAlgoMachine } from './scheduled.ts';

export const twapMachine = scheduledAlgoMachine('twap');
export type TwapMachine = typeof twapMachine;
