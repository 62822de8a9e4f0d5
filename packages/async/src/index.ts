export { Async, type AsyncOptions } from './async.js';
export { AsyncMailbox, type AsyncMailboxOptions } from './mailbox.js';
export { AsyncSender, type AsyncSenderData } from './sender.js';
