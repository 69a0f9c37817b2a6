import { EwsFault } from "../faults";
import { attachmentXml } from "../mailbox-data";
import {
  attr,
  child,
  children,
  errorMessage,
  readId,
  responseMessages,
  successMessage,
  type XmlNode,
} from "../soap";
import { resolveItemRef, type OperationContext } from "./context";

/**
 * GetAttachment: each AttachmentId is resolved through its item (so the caller needs access to that
 * mailbox); file attachments come with their base64 Content.
 */
export function getAttachment(ctx: OperationContext, request: XmlNode): string {
  const ids = children(child(request, "AttachmentIds"), "AttachmentId");
  if (ids.length === 0) {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: AttachmentIds is empty.",
    );
  }
  const messages = ids.map((node) => {
    const id = attr(node, "Id") ?? "";
    const decoded = readId(id);
    if (!decoded || decoded.kind !== "A" || decoded.parts.length < 3) {
      return errorMessage(
        "GetAttachment",
        { code: "ErrorInvalidIdMalformed", message: "Id is malformed." },
        "<m:Attachments/>",
      );
    }
    const ref = resolveItemRef(ctx, { "@_Id": decoded.parts[1] });
    const attachment = "error" in ref ? undefined : ref.item.attachments.find((a) => a.id === id);
    if ("error" in ref && ref.error.code !== "ErrorItemNotFound") {
      return errorMessage("GetAttachment", ref.error, "<m:Attachments/>");
    }
    if (!attachment) {
      return errorMessage(
        "GetAttachment",
        { code: "ErrorInvalidAttachmentId", message: "The attachment id is invalid." },
        "<m:Attachments/>",
      );
    }
    return successMessage(
      "GetAttachment",
      `<m:Attachments>${attachmentXml(attachment, true)}</m:Attachments>`,
    );
  });
  return responseMessages("GetAttachment", messages.join(""));
}
