/** Types of scripts/server-runtime.mjs (a plain script, so `npm start` needs no TypeScript). */
export declare const ROOT: string;
export declare const NODE_FLAGS: string[];
export declare function runtimeEnv(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export declare function buildServer(entries: string[]): Promise<string[]>;
export declare function newestMtime(dir: string, only?: RegExp): number;
