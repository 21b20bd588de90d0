import { compact, contractAction, field, languageTag, text, type SendBody } from './body';

/**
 * Auth0's three ways of handing a phone message to custom code, each mapped to the contract's
 * body. Field names follow Auth0's documentation of each event object:
 * - send-phone-message Action: event.message_options.{recipient,code,text,message_type,action},
 *   event.request.{language,ip,user_agent}, event.client.{client_id,name}, event.user.user_id,
 *   event.tenant.id
 * - custom-phone-provider Action: event.notification.{recipient,code,as_text,as_voice,
 *   delivery_method,locale,message_type}, plus event.request, event.client, event.user and
 *   event.tenant as above; `code` only for the types that carry one (otp_verify, otp_enroll, and
 *   change_password when Auth0 sends a reset code); event.request is optional
 * - Send Phone Message Hook: (recipient, text, context) with context.{code,message_type,action,
 *   language,factor_type,user_agent}, context.request.ip (older docs: context.ip),
 *   context.client.{client_id,name} (older docs: context.client_id, context.name),
 *   context.user.user_id
 */

/** What both Actions' events carry beside the message: the login's request, app, user, tenant. */
function actionContext(event: unknown) {
  const request = field(event, 'request');
  const client = field(event, 'client');
  return {
    client_id: text(field(client, 'client_id')),
    client_name: text(field(client, 'name')),
    user_id: text(field(field(event, 'user'), 'user_id')),
    ip: text(field(request, 'ip')),
    user_agent: text(field(request, 'user_agent')),
    tenant: text(field(field(event, 'tenant'), 'id')),
  };
}

export function fromSendPhoneMessageEvent(event: unknown): SendBody {
  const options = field(event, 'message_options');
  return compact({
    recipient: text(field(options, 'recipient')),
    code: text(field(options, 'code')),
    text: text(field(options, 'text')),
    message_type: text(field(options, 'message_type')),
    action: contractAction(field(options, 'action')),
    language: languageTag(field(field(event, 'request'), 'language')),
    ...actionContext(event),
  });
}

// custom-phone-provider says how a message travels as `text` or `voice`; the contract says `sms` or `voice`.
function channel(deliveryMethod: unknown): string | undefined {
  const method = text(deliveryMethod);
  return method === 'text' ? 'sms' : method;
}

export function fromCustomPhoneProviderEvent(event: unknown): SendBody {
  const notification = field(event, 'notification');
  return compact({
    recipient: text(field(notification, 'recipient')),
    code: text(field(notification, 'code')),
    text: text(field(notification, 'as_text')),
    voice_text: text(field(notification, 'as_voice')),
    message_type: channel(field(notification, 'delivery_method')),
    action: contractAction(field(notification, 'message_type')),
    language: languageTag(field(notification, 'locale')),
    ...actionContext(event),
  });
}

export function fromHookArguments(recipient: unknown, messageText: unknown, context: unknown): SendBody {
  const client = field(context, 'client');
  return compact({
    recipient: text(recipient),
    code: text(field(context, 'code')),
    text: text(messageText),
    message_type: text(field(context, 'message_type')),
    action: contractAction(field(context, 'action')),
    language: languageTag(field(context, 'language')),
    factor_type: text(field(context, 'factor_type')),
    client_id: text(field(client, 'client_id')) ?? text(field(context, 'client_id')),
    client_name: text(field(client, 'name')) ?? text(field(context, 'name')),
    user_id: text(field(field(context, 'user'), 'user_id')),
    ip: text(field(field(context, 'request'), 'ip')) ?? text(field(context, 'ip')),
    user_agent: text(field(context, 'user_agent')),
  });
}
