export { Async, type AsyncOptions } from './async.js';
export { AsyncSender, type AsyncSenderData } from './sender.js';
