import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { openJobStates, type Job, type JobKind, type startableJobKinds } from "../../contract/jobs";
import { apiData } from "../api/client";

/** Query keys of jobs. */
export const jobKeys = {
  one: (jobId: string) => ["jobs", jobId] as const,
  ofProfile: (profileId: string) => ["jobs", "list", profileId] as const,
};

/** Whether a job still runs or may run again (queued, running, paused). */
export const isOpenJob = (job: Pick<Job, "state">): boolean => openJobStates.includes(job.state);

/** The profile's jobs, newest first. */
export const listJobs = (profileId: string, signal?: AbortSignal, limit = 50) =>
  apiData("GET /jobs", { query: { profileId, limit }, signal });

/** One job. */
export const getJob = (jobId: string, signal?: AbortSignal) =>
  apiData("GET /jobs/:id", { params: { id: jobId }, signal });

/** Starts a job on the profile (409 job_running when one is open; details.jobId names it). */
export const startJob = (profileId: string, kind: (typeof startableJobKinds)[number], userIds?: string[]) =>
  apiData("POST /profiles/:id/jobs", {
    params: { id: profileId },
    body: userIds ? { kind, userIds } : { kind },
  });

/** Pauses, resumes or cancels a job. */
export const controlJob = (jobId: string, action: "pause" | "resume" | "cancel") =>
  apiData(`POST /jobs/:id/${action}`, { params: { id: jobId } });

/** The profile's jobs, newest first (refetched while one of them is open). */
export function useProfileJobs(profileId: string) {
  return useQuery({
    queryKey: jobKeys.ofProfile(profileId),
    queryFn: ({ signal }) => listJobs(profileId, signal),
  });
}

/** The newest job of a kind on the profile: the open one if any, so progress survives a reload. */
export function latestJobOfKind(jobs: readonly Job[] | undefined, kind: JobKind): Job | undefined {
  const ofKind = (jobs ?? []).filter((j) => j.kind === kind);
  return ofKind.find(isOpenJob) ?? [...ofKind].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

/** Pause / resume / cancel, writing the answer into the job's cache entry. */
export function useControlJob(profileId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ jobId, action }: { jobId: string; action: "pause" | "resume" | "cancel" }) =>
      controlJob(jobId, action),
    onSuccess: (job) => {
      client.setQueryData(jobKeys.one(job.id), job);
      void client.invalidateQueries({ queryKey: jobKeys.ofProfile(profileId) });
    },
  });
}
