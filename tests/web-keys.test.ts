import { describe, expect, it } from 'vitest'
import { commandFor, stepBrush, type KeyLike } from '../web/src/ui/keys.js'

const key = (k: string, o: Partial<KeyLike> = {}): KeyLike => ({
  key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, isComposing: false, target: { tagName: 'DIV' }, ...o,
})

describe('editor shortcuts', () => {
  it('maps undo and redo on Ctrl and ⌘', () => {
    expect(commandFor(key('z', { ctrlKey: true }))).toBe('undo')
    expect(commandFor(key('z', { metaKey: true }))).toBe('undo')
    expect(commandFor(key('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo')
    expect(commandFor(key('z', { metaKey: true, shiftKey: true }))).toBe('redo')
    expect(commandFor(key('y', { ctrlKey: true }))).toBe('redo')
    expect(commandFor(key('y', { metaKey: true }))).toBeUndefined()
  })
  it('maps tools, brush size and help', () => {
    expect(commandFor(key('['))).toBe('smaller')
    expect(commandFor(key(']'))).toBe('larger')
    expect(commandFor(key('?', { shiftKey: true }))).toBe('help')
    expect(commandFor(key('b'))).toBe('brush')
    expect(commandFor(key('E'))).toBe('eraser')
  })
  it('never fires in text fields or while an IME composes', () => {
    expect(commandFor(key('z', { ctrlKey: true, isComposing: true }))).toBeUndefined()
    expect(commandFor(key('[', { keyCode: 229 }))).toBeUndefined()
    expect(commandFor(key('z', { ctrlKey: true, target: { tagName: 'INPUT', type: 'text' } }))).toBeUndefined()
    expect(commandFor(key('b', { target: { tagName: 'TEXTAREA' } }))).toBeUndefined()
    expect(commandFor(key('b', { target: { tagName: 'DIV', isContentEditable: true } }))).toBeUndefined()
    // a checkbox is not a text field
    expect(commandFor(key('b', { target: { tagName: 'INPUT', type: 'checkbox' } }))).toBe('brush')
  })
  it('steps brush sizes within bounds', () => {
    expect(stepBrush(20, 1)).toBe(40)
    expect(stepBrush(20, -1)).toBe(10)
    expect(stepBrush(1, -1)).toBe(1)
    expect(stepBrush(80, 1)).toBe(80)
  })
})
