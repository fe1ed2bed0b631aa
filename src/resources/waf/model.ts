// The `waf` resource's model: observe, the handlers of the web ACL and its association, and what it records.
import type { ResourceModel } from "../resource.js";
import { associationHandlers } from "./association.js";
import type { WafConfig } from "./config.js";
import { observeWaf } from "./observe.js";
import { webAclHandlers } from "./web-acl.js";

export const wafModel: ResourceModel<WafConfig> = {
  observe: observeWaf,
  handlers: { "web ACL": webAclHandlers, "web ACL association": associationHandlers },
  recorded: (objects) => ({ WAF_WEB_ACL_ARN: objects.get("web-acl")?.id ?? "" }),
};
