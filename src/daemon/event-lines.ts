// One log line per domain event: a short sentence for people, the event itself as fields for machines.
import { subjectOfEvent, type DomainEvent } from '../domain/events.ts';

export function describeEvent(event: DomainEvent): string {
  const subject = subjectOfEvent(event);
  switch (event.type) {
    case 'OrderInitialized':
      return `${subject} ${event.orderType} ${event.side} ${event.quantity} ${event.symbol}${event.price ? ` @ ${event.price}` : ''}${event.stopPrice ? ` stop ${event.stopPrice}` : ''}`;
    case 'OrderFilled':
      return `${subject} filled ${event.fillQuantity} @ ${event.fillPrice} (${event.liquidity}, fee ${event.fee} ${event.feeCurrency}); ${event.filledQuantity} done, ${event.remainingQuantity} left`;
    case 'OrderTriggered':
      return `${subject} triggered at ${event.marketPrice}, released as ${event.releasedAs}`;
    case 'PositionOpened':
      return `${subject} ${event.direction} ${event.quantity} ${event.symbol} @ ${event.averageEntryPrice}${event.stopPrice ? ` stop ${event.stopPrice}` : ''}`;
    case 'PositionChanged':
      return `${subject} ${event.change}: ${event.direction} ${event.quantity}${event.stopPrice ? ` stop ${event.stopPrice}` : ''}`;
    case 'PositionClosed':
      return `${subject} closed ${event.closedQuantity} (${event.exitReason}), realized ${event.realizedPnl}`;
    case 'AlgoProgressed':
      return `${subject} ${event.kind} child ${event.childId} filled ${event.fillQuantity} @ ${event.fillPrice}; ${event.filledQuantity} of ${event.quantity} done`;
    case 'AlgoEnded':
      return `${subject} ${event.kind} ${event.outcome}: ${event.filledQuantity} of ${event.quantity} filled${event.reason ? ` (${event.reason})` : ''}`;
    default:
      return 'reason' in event ? `${subject} ${event.reason}` : subject;
  }
}
