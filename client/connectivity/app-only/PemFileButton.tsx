import { Button } from "@fluentui/react-components";
import { DocumentArrowUp16Regular } from "@fluentui/react-icons";
import { useRef } from "react";

/** Largest PEM accepted (the server takes up to 64,000 characters). */
const MAX_BYTES = 64_000;

/**
 * "Upload PEM file": reads a .pem/.crt/.key file in the browser and hands its text over (it is sent only
 * when the form is saved). Too large or unreadable files are reported through `onError`.
 * @example <PemFileButton onText={setCertificatePem} onError={setProblem} />
 */
export function PemFileButton({
  onText,
  onError,
  disabled,
}: {
  onText: (text: string) => void;
  onError: (message: string) => void;
  disabled?: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  const handleChange = async (e: React.ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (!file) return;
    if (file.size > MAX_BYTES) {
      onError(
        `${file.name} is larger than ${MAX_BYTES / 1000} kB: upload the PEM with the certificate and its private key only.`,
      );
      return;
    }
    try {
      onText(await file.text());
    } catch {
      onError(`${file.name} could not be read.`);
    }
  };
  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".pem,.crt,.cer,.key,.txt"
        hidden
        aria-hidden
        onChange={(e) => void handleChange(e)}
      />
      <Button
        size="small"
        icon={<DocumentArrowUp16Regular />}
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        Upload PEM file
      </Button>
    </>
  );
}
