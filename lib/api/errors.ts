/**
 * Errors of the entry points (API, EventBridge, CLI against the deployed stack). None of them is a state machine
 * branch: they are answered to the caller (an HTTP status, a CLI exit code) by their stable `name`.
 */
import { GpuDeployError } from '../errors.js';

/** The id is not an execution name (`^[A-Za-z0-9_-]{1,80}$`): no ARN is built from it. */
export class DeploymentIdInvalidError extends GpuDeployError {}
/** Step Functions knows no execution of that name (ExecutionDoesNotExist). */
export class DeploymentNotFoundError extends GpuDeployError {}
/** The deployment is still running: teardown would race its launch. */
export class DeploymentInProgressError extends GpuDeployError {}
/** An execution of that name exists with other input, or has finished (ExecutionAlreadyExists). */
export class DeploymentAlreadyExistsError extends GpuDeployError {}
/** The CloudFormation stack `gpu-deploy-<stage>` is not there. */
export class StackNotDeployedError extends GpuDeployError {}
/** The stack is there but lacks an output this version needs (deployed by an older version). */
export class StackOutputMissingError extends GpuDeployError {}
/** The function runs without the environment serverless.yml gives it. */
export class ConfigurationError extends GpuDeployError {}
/** `--wait` gave up before the execution ended (the execution goes on). */
export class WaitTimeoutError extends GpuDeployError {}
// Issue 15: the API's router.
/** No route of this function answers that method and path (API Gateway wired to the wrong function). */
export class RouteNotFoundError extends GpuDeployError {}
