"""A scripted model for agent tests: pydantic-ai's FunctionModel answering by agent and prompt."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from intelligent_office import Agent, Workflow
from intelligent_office.agentkit import PydanticAIModel

# (system prompt, user message) -> reply text
Script = Callable[[str, str], str]


@dataclass
class ScriptedModel:
    """Answers with `script`; remembers every (system, user) pair it was asked."""

    script: Script
    calls: list[tuple[str, str]] = field(default_factory=list)

    def _answer(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        user = ""
        for part in messages[-1].parts:
            if isinstance(part, UserPromptPart) and isinstance(part.content, str):
                user = part.content
        system = info.instructions or ""
        self.calls.append((system, user))
        return ModelResponse(parts=[TextPart(self.script(system, user))])

    def model(self) -> PydanticAIModel:
        """The agent model to give the Office."""
        return PydanticAIModel(FunctionModel(self._answer, model_name="scripted"))

    def asked(self, system: str) -> list[str]:
        """The user messages sent under this system prompt, in order."""
        return [user for s, user in self.calls if s == system]


def launch_note(writer_prompt: str = "write", *, name: str = "launch-note") -> Workflow:
    """Two agents, research then write; a scripted model answers each by its prompt."""
    return Workflow(
        name=name,
        input="Write the launch note.",
        agents=[
            Agent(name="research", system_prompt="research"),
            Agent(name="write", system_prompt=writer_prompt, dependencies=["research"]),
        ],
    )
