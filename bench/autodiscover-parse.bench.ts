/**
 * Autodiscover answer parsing (issue 20): the absolute time to parse a 1 MB answer (the largest read),
 * POX and SOAP, median of 20 runs. The linear growth itself is a test (server/ews/autodiscover.test.ts).
 */
import { parsePox, parseSoap } from "../server/ews/autodiscover-parse";
import { quantile, sample, type Benchmark } from "./lib";

const MB = 1024 * 1024;

/** A 1 MB answer: many protocols (what made the old regexes quadratic) and the EWS URL last. */
function answer(): string {
  const protocol = "<Protocol><Type>WEB</Type><Server>mail.contoso.com</Server></Protocol>";
  const last =
    "<Protocol><Type>EXPR</Type><EwsUrl>https://mail.contoso.com/EWS/Exchange.asmx</EwsUrl></Protocol>";
  const head =
    '<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account>';
  const tail = `${last}</Account></Response></Autodiscover>`;
  return head + protocol.repeat(Math.floor((MB - head.length - tail.length) / protocol.length)) + tail;
}

const autodiscoverParse: Benchmark = async () => {
  const xml = answer();
  const pox = await sample(() => Promise.resolve(parsePox(xml)), { runs: 20, warmup: 3 });
  const soap = await sample(() => Promise.resolve(parseSoap(xml)), { runs: 20, warmup: 3 });
  return [
    {
      group: "autodiscover parse · 1 MB",
      figure: "POX answer median",
      value: +quantile(pox, 0.5).toFixed(1),
      unit: "ms",
    },
    {
      group: "autodiscover parse · 1 MB",
      figure: "SOAP answer median",
      value: +quantile(soap, 0.5).toFixed(1),
      unit: "ms",
    },
  ];
};

export default autodiscoverParse;
